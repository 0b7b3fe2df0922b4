"""Uploading and serving attachments (photos and PDFs of reports)."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, File, HTTPException, Path, Request, Response, UploadFile

from gridcase_events.kit.auth import AREA_ROLES, CurrentPrincipal, Principal
from intake.attachments import repository, service
from intake.attachments.schemas import AttachmentRead
from intake.attachments.storage import Storage, create_storage
from intake.deps import RuntimeDep, SettingsDep
from intake.idempotency.endpoints import Idempotency, IdempotencyDep
from intake.walls import repository as wall_repository
from intake.walls import service as wall_service
from intake.walls.endpoints import WallId, client_address, too_many

router = APIRouter(tags=["attachments"])
log = structlog.get_logger(__name__)

UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"description": "file over INTAKE_ATTACHMENTS_MAX_BYTES"},
    415: {"description": "content is not JPEG, PNG, WebP or PDF"},
}


def get_storage(runtime: RuntimeDep, settings: SettingsDep) -> Storage:
    storage = runtime.extras.get("attachments_storage")
    if storage is None:
        storage = runtime.extras["attachments_storage"] = create_storage(settings)
    return storage


StorageDep = Annotated[Storage, Depends(get_storage)]

# Attachments (photos of homes, of people) are for those who handle cases: field workers
# in their area, a department's operators, the desks that route cases, admins.
# (Content-addressed files are shared between cases, so no finer scope is kept.)
_DESKS = frozenset({"district_center", "dispatcher", "admin"})


def may_download(principal: Principal) -> bool:
    if principal.role in _DESKS:
        return True
    if principal.role in AREA_ROLES:
        return bool(principal.area_code)
    return principal.role == "department_operator" and bool(principal.department_code)


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status_code=413, detail=f"file over the limit of {limit} bytes ({limit / 1048576:g} MiB)"
    )


async def _accept(
    *,
    upload: UploadFile,
    runtime: Any,
    settings: Any,
    storage: Storage,
    idempotency: Idempotency,
    scope: str,
) -> Any:
    # The whole body is capped by the kit's body limit; the file itself exactly here.
    limit = settings.attachments_max_bytes
    try:
        spooled = await service.spool(upload=upload, staging=storage.staging_dir(), limit=limit)
    except service.TooLarge as exc:
        service.UPLOADS.labels("too_large").inc()
        raise _too_large(limit) from exc
    try:
        async with runtime.transaction() as session:
            replay = await idempotency.replay(
                session=session, scope=scope, payload={"sha256": spooled.sha256}
            )
            if replay is not None:
                spooled.path.unlink(missing_ok=True)
                return replay
            result = await service.store(
                session=session,
                storage=storage,
                spooled=spooled,
                base_url=settings.public_base_url,
                uploaded_by=scope,
                now=runtime.clock.now(),
            )
            await idempotency.remember(session=session, status_code=201, body=result)
    except service.UnsupportedType as exc:
        raise HTTPException(status_code=415, detail=str(exc)) from exc
    finally:
        spooled.path.unlink(missing_ok=True)
    log.info("attachment stored", name=result.url.rsplit("/", 1)[-1], size=result.size)
    return result


@router.post(
    "/v1/attachments",
    status_code=201,
    response_model=AttachmentRead,
    summary="Upload a photo or PDF for a report (staff); the same content gives the same URL",
    responses=UPLOAD_RESPONSES,
)
async def upload(
    file: Annotated[UploadFile, File(description="JPEG, PNG, WebP or PDF")],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    settings: SettingsDep,
    storage: StorageDep,
    idempotency: IdempotencyDep,
) -> Any:
    return await _accept(
        upload=file,
        runtime=runtime,
        settings=settings,
        storage=storage,
        idempotency=idempotency,
        scope=f"staff:{principal.sub}",
    )


@router.post(
    "/v1/public/walls/{wall_id}/attachments",
    status_code=201,
    response_model=AttachmentRead,
    summary="Upload a photo for a wish (anonymous; rate-limited like wishes)",
    responses={
        **UPLOAD_RESPONSES,
        404: {"description": "no wall with this id"},
        429: {"description": "too many uploads; see Retry-After"},
    },
)
async def upload_at_wall(
    wall_id: WallId,
    request: Request,
    file: Annotated[UploadFile, File(description="JPEG, PNG, WebP or PDF")],
    runtime: RuntimeDep,
    settings: SettingsDep,
    storage: StorageDep,
    idempotency: IdempotencyDep,
) -> Any:
    client = client_address(request)
    async with runtime.transaction() as session:
        wall = await wall_repository.get(session, wall_id)
        if wall is None:
            raise HTTPException(status_code=404, detail=f"no wall {wall_id}")
        refused = await wall_service.throttle(
            session=session,
            runtime=runtime,
            settings=settings,
            wall=wall,
            client=client,
            kind="attachments",
        )
    if refused is not None:
        raise too_many(refused)
    return await _accept(
        upload=file,
        runtime=runtime,
        settings=settings,
        storage=storage,
        idempotency=idempotency,
        scope=f"wall:{wall_id}:client:{client}",
    )


@router.get(
    "/v1/attachments/{name}",
    summary="Download an attachment (staff)",
    response_class=Response,
    responses={
        403: {"description": "a role that handles no cases, or one without its area"},
        404: {"description": "no such attachment"},
    },
)
async def download(
    name: Annotated[str, Path(pattern=service.NAME.pattern)],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    storage: StorageDep,
) -> Response:
    if not may_download(principal):
        raise HTTPException(
            status_code=403, detail=f"role {principal.role} may not download attachments here"
        )
    async with runtime.sessionmaker() as session:
        attachment = await repository.get(session, name)
    content = await storage.read(name) if attachment is not None else None
    if attachment is None or content is None:
        raise HTTPException(status_code=404, detail="no such attachment")
    return Response(
        content,
        media_type=attachment.content_type,
        headers={
            "Cache-Control": "private, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )
