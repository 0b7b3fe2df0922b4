"""Wish walls: management (staff), public submission and photos (anonymous),
transcription."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

import segno
from fastapi import APIRouter, Depends, File, Path, Request, Response, UploadFile

from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.bodylimit import require_json
from gridcase_events.kit.http import correlation_id
from intake import district
from intake.attachments import service as attachment_service
from intake.attachments.schemas import UPLOAD_RESPONSES, AttachmentRead
from intake.deps import RuntimeDep, SessionDep, SettingsDep, StorageDep
from intake.idempotency.deps import IdempotencyDep, respond
from intake.walls import service
from intake.walls.admission import admit, admit_bytes, client_address
from intake.walls.schemas import (
    PublicWallRead,
    TranscriptionIn,
    TranscriptionResult,
    WallCreate,
    WallRead,
    WallUpdate,
    WishCreated,
    WishIn,
)

router = APIRouter(tags=["wish walls"], dependencies=[Depends(require_json)])
# A wall's photos come as multipart forms: not under require_json.
photos_router = APIRouter(tags=["attachments"])

WallId = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no wall with this id"}}


@router.post(
    "/v1/walls",
    status_code=201,
    response_model=WallRead,
    summary="Create a wish wall (admin, or the station master of its community)",
    responses={403: {"description": "not yours to create"}, 409: {"description": "id taken"}},
)
async def create_wall(
    body: WallCreate,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    session: SessionDep,
    key: IdempotencyDep,
) -> Any:
    district.check_point(
        body.location, await district.current(session, runtime), ("body", "location")
    )
    return respond(
        await service.create_wall(
            session=session, runtime=runtime, principal=principal, wall=body, key=key
        )
    )


@router.get(
    "/v1/walls",
    response_model=list[WallRead],
    summary="Wish walls in my area",
)
async def list_walls(
    principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> list[WallRead]:
    walls = await service.list_walls(session=session, principal=principal)
    return [service.to_read(w, settings) for w in walls]


@router.get("/v1/walls/{wall_id}", response_model=WallRead, responses=NOT_FOUND)
async def get_wall(
    wall_id: WallId, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> WallRead:
    wall = await service.visible_wall(session=session, principal=principal, wall_id=wall_id)
    return service.to_read(wall, settings)


@router.patch(
    "/v1/walls/{wall_id}",
    response_model=WallRead,
    summary="Rename, move, close or reopen a wish wall (admin, or the station master of "
    "its community)",
    responses={
        403: {"description": "not yours to change"},
        409: {"description": "changed by someone else since expected_updated_at"},
        **NOT_FOUND,
    },
)
async def update_wall(
    wall_id: WallId,
    body: WallUpdate,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    session: SessionDep,
) -> WallRead:
    district.check_point(
        body.location, await district.current(session, runtime), ("body", "location")
    )
    return await service.update_wall(
        session=session, runtime=runtime, principal=principal, wall_id=wall_id, changes=body
    )


@router.get(
    "/v1/walls/{wall_id}/qr.{fmt}",
    summary="The wall's QR code (pointing at its public submission URL), to print",
    responses={
        200: {"content": {"image/png": {}, "image/svg+xml": {}}},
        **NOT_FOUND,
    },
    response_class=Response,
)
async def wall_qr(
    wall_id: WallId,
    fmt: Literal["png", "svg"],
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    wall = await service.visible_wall(session=session, principal=principal, wall_id=wall_id)
    qr = segno.make(service.submission_url(wall.id, settings), error="m")
    buffer = io.BytesIO()
    if fmt == "png":
        qr.save(buffer, kind="png", scale=10, border=4)
        media_type = "image/png"
    else:
        qr.save(buffer, kind="svg", scale=10, border=4, xmldecl=True)
        media_type = "image/svg+xml"
    return Response(buffer.getvalue(), media_type=media_type)


@router.get(
    "/v1/public/walls/{wall_id}",
    response_model=PublicWallRead,
    summary="A wall as residents see it after scanning its QR code",
    responses=NOT_FOUND,
)
async def public_wall(
    wall_id: WallId, session: SessionDep, settings: SettingsDep
) -> PublicWallRead:
    wall = await service.get_wall(session, wall_id)
    base = settings.public_base_url.rstrip("/")
    return PublicWallRead(
        wall_id=wall.id,
        name=wall.name,
        submit_url=f"{base}/v1/public/walls/{wall.id}/wishes",
        closed=wall.closed_at is not None,
    )


@router.post(
    "/v1/public/walls/{wall_id}/wishes",
    status_code=201,
    response_model=WishCreated,
    summary="Submit a wish at a wall (anonymous; rate-limited per client and per wall)",
    responses={
        **NOT_FOUND,
        409: {"description": "the wall is closed (停用) and takes no wishes (code wall_closed)"},
        422: {"description": "invalid wish (content, phone, point, attachments)"},
        429: {"description": "too many submissions; see Retry-After"},
    },
)
async def submit_wish(
    wall_id: WallId,
    body: WishIn,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    key: IdempotencyDep,
) -> Any:
    district.check_point(body.point, await district.current(session, runtime), ("body", "point"))
    client = client_address(request)
    wall = await admit(runtime=runtime, wall_id=wall_id, client=client, kind="wishes")
    return respond(
        await service.take_public_wish(
            session=session,
            runtime=runtime,
            wall=wall,
            wish=body,
            client=client,
            key=key,
            correlation_id=correlation_id(request),
        )
    )


@photos_router.post(
    "/v1/public/walls/{wall_id}/attachments",
    status_code=201,
    response_model=AttachmentRead,
    summary="Upload a photo for a wish (anonymous; rate-limited like wishes, and by a "
    "byte budget per client and per wall)",
    responses={
        **UPLOAD_RESPONSES,
        404: {"description": "no wall with this id"},
        409: {"description": "the wall is closed (停用) and takes no wishes (code wall_closed)"},
        429: {"description": "too many uploads, or too many bytes; see Retry-After"},
    },
)
async def upload_at_wall(
    wall_id: WallId,
    request: Request,
    file: Annotated[UploadFile, File(description="JPEG, PNG, WebP or PDF")],
    runtime: RuntimeDep,
    session: SessionDep,
    storage: StorageDep,
    key: IdempotencyDep,
) -> Any:
    client = client_address(request)
    wall = await admit(runtime=runtime, wall_id=wall_id, client=client, kind="attachments")
    return respond(
        await attachment_service.accept(
            session=session,
            storage=storage,
            upload=file,
            limit=runtime.settings.attachments_max_bytes,
            base_url=runtime.settings.public_base_url,
            key=key,
            scope=f"wall:{wall.id}:client:{client}",
            now=runtime.clock.now(),
            admit_bytes=lambda size: admit_bytes(
                runtime=runtime, wall=wall, client=client, size=size
            ),
        )
    )


@router.post(
    "/v1/walls/{wall_id}/transcriptions",
    response_model=TranscriptionResult,
    summary="Transcribe a wall's notes in bulk (grid staff of its community)",
    description="A result per note: `created` with the case, or `invalid` with errors. "
    "Valid notes are stored even when others are invalid.",
    responses={**NOT_FOUND, 403: {"description": "not a member of the wall's community"}},
)
async def transcribe(
    wall_id: WallId,
    body: TranscriptionIn,
    request: Request,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    session: SessionDep,
    key: IdempotencyDep,
) -> Any:
    return respond(
        await service.transcribe_wall(
            session=session,
            runtime=runtime,
            principal=principal,
            wall_id=wall_id,
            notes=body,
            key=key,
            correlation_id=correlation_id(request),
        )
    )
