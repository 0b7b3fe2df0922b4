"""Uploading and serving attachments (photos and PDFs of reports). A wall's anonymous
upload is the walls domain's (``intake.walls.endpoints``): it is counted like wishes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Response, UploadFile

from gridcase_events.kit.auth import AREA_ROLES, CurrentPrincipal, Principal
from gridcase_events.kit.errors import Forbidden, NotFound
from intake.attachments import repository, service
from intake.attachments.schemas import UPLOAD_RESPONSES, AttachmentRead
from intake.deps import RuntimeDep, SessionDep, SettingsDep, StorageDep
from intake.idempotency.deps import IdempotencyDep, respond

router = APIRouter(tags=["attachments"])

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
    session: SessionDep,
    storage: StorageDep,
    key: IdempotencyDep,
) -> Any:
    # The whole body is capped by the kit's body limit; the file itself by accept().
    return respond(
        await service.accept(
            session=session,
            storage=storage,
            upload=file,
            limit=settings.attachments_max_bytes,
            base_url=settings.public_base_url,
            key=key,
            scope=f"staff:{principal.sub}",
            now=runtime.clock.now(),
        )
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
    session: SessionDep,
    storage: StorageDep,
) -> Response:
    if not may_download(principal):
        raise Forbidden(f"role {principal.role} may not download attachments here")
    attachment = await repository.get(session, name)
    content = await storage.read(name) if attachment is not None else None
    if attachment is None or content is None:
        raise NotFound("no such attachment")
    return Response(
        content,
        media_type=attachment.content_type,
        headers={
            "Cache-Control": "private, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )
