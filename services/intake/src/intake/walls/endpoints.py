"""Wish walls: management (staff), public submission (anonymous), transcription."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

import segno
from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.bodylimit import require_json
from gridcase_events.kit.http import correlation_id
from gridcase_events.kit.runtime import Runtime
from intake import district
from intake.config import IntakeSettings
from intake.deps import RuntimeDep, SettingsDep
from intake.idempotency.endpoints import Idempotency, IdempotencyDep
from intake.walls import repository, service
from intake.walls.models import Wall
from intake.walls.schemas import (
    PublicWallRead,
    TranscriptionIn,
    TranscriptionResult,
    WallCreate,
    WallRead,
    WishCreated,
    WishIn,
)

router = APIRouter(tags=["wish walls"], dependencies=[Depends(require_json)])

WallId = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no wall with this id"}}


def client_address(request: Request) -> str:
    """The client's address as the server sees it (run behind a proxy with uvicorn's
    ``--proxy-headers --forwarded-allow-ips`` so that this is the resident's)."""
    return request.client.host if request.client else "unknown"


def too_many(refused: Any) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        detail=str(refused),
        headers={"Retry-After": str(refused.retry_after)},
    )


def unknown_attachments(urls: list[str], loc: tuple[str | int, ...]) -> RequestValidationError:
    return RequestValidationError(
        [
            {
                "loc": loc,
                "msg": f"not an attachment stored by intake: {url}",
                "type": "unknown_attachment",
                "input": url,
            }
            for url in urls
        ]
    )


async def _wall(session: Any, wall_id: str) -> Wall:
    wall = await repository.get(session, wall_id)
    if wall is None:
        raise HTTPException(status_code=404, detail=f"no wall {wall_id}")
    return wall


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
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Any:
    district.check_point(body.location, settings.bounds, ("body", "location"))
    if not service.may_manage(principal, body.community_code):
        raise HTTPException(
            status_code=403, detail=f"you may not create walls in {body.community_code}"
        )
    async with runtime.transaction() as session:
        replay = await idempotency.replay(
            session=session, scope=f"staff:{principal.sub}", payload=body
        )
        if replay is not None:
            return replay
        try:
            wall = await service.create(
                session=session, runtime=runtime, wall=body, created_by=principal.sub
            )
        except service.WallExists as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        result = service.to_read(wall, settings)
        await idempotency.remember(session=session, status_code=201, body=result)
    return result


@router.get(
    "/v1/walls",
    response_model=list[WallRead],
    summary="Wish walls in my area",
)
async def list_walls(
    principal: CurrentPrincipal, runtime: RuntimeDep, settings: SettingsDep
) -> list[WallRead]:
    async with runtime.sessionmaker() as session:
        walls = await repository.list_walls(session)
    return [service.to_read(w, settings) for w in walls if service.may_see(principal, w)]


@router.get("/v1/walls/{wall_id}", response_model=WallRead, responses=NOT_FOUND)
async def get_wall(
    wall_id: WallId, principal: CurrentPrincipal, runtime: RuntimeDep, settings: SettingsDep
) -> WallRead:
    async with runtime.sessionmaker() as session:
        wall = await _wall(session, wall_id)
    if not service.may_see(principal, wall):
        raise HTTPException(status_code=403, detail="this wall is outside your area")
    return service.to_read(wall, settings)


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
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> Response:
    async with runtime.sessionmaker() as session:
        wall = await _wall(session, wall_id)
    if not service.may_see(principal, wall):
        raise HTTPException(status_code=403, detail="this wall is outside your area")
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
    wall_id: WallId, runtime: RuntimeDep, settings: SettingsDep
) -> PublicWallRead:
    async with runtime.sessionmaker() as session:
        wall = await _wall(session, wall_id)
    base = settings.public_base_url.rstrip("/")
    return PublicWallRead(
        wall_id=wall.id, name=wall.name, submit_url=f"{base}/v1/public/walls/{wall.id}/wishes"
    )


@router.post(
    "/v1/public/walls/{wall_id}/wishes",
    status_code=201,
    response_model=WishCreated,
    summary="Submit a wish at a wall (anonymous; rate-limited per client and per wall)",
    responses={
        **NOT_FOUND,
        422: {"description": "invalid wish (content, phone, point, attachments)"},
        429: {"description": "too many submissions; see Retry-After"},
    },
)
async def submit_wish(
    wall_id: WallId,
    body: WishIn,
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Any:
    return await submit_public_wish(
        wall_id=wall_id,
        body=body,
        request=request,
        runtime=runtime,
        settings=settings,
        idempotency=idempotency,
    )


async def submit_public_wish(
    *,
    wall_id: str,
    body: WishIn,
    request: Request,
    runtime: Runtime,
    settings: IntakeSettings,
    idempotency: Idempotency,
) -> WishCreated | JSONResponse:
    """A resident's wish at a wall, the one way both the JSON endpoint and the wall's
    page take it: the district check, the rate limits, the Idempotency-Key, the case.
    Returns the result, or the first response of a repeat. Raises HTTPException (404,
    429, 422 for a reused key) or RequestValidationError (422)."""
    district.check_point(body.point, settings.bounds, ("body", "point"))
    client = client_address(request)
    # The count commits on its own: refused requests count too.
    async with runtime.transaction() as session:
        wall = await _wall(session, wall_id)
        refused = await service.throttle(
            session=session,
            runtime=runtime,
            settings=settings,
            wall=wall,
            client=client,
            kind="wishes",
        )
    if refused is not None:
        raise too_many(refused)
    async with runtime.transaction() as session:
        replay = await idempotency.replay(
            session=session, scope=f"wall:{wall.id}:client:{client}", payload=body
        )
        if replay is not None:
            return replay
        try:
            taken = await service.take_wish(
                session=session,
                runtime=runtime,
                settings=settings,
                wall=wall,
                wish=body,
                source="public",
                correlation_id=correlation_id(request),
            )
        except service.AttachmentsUnknown as exc:
            raise unknown_attachments(exc.urls, ("body", "attachments")) from exc
        result = WishCreated(tracking_no=taken.tracking_no)
        await idempotency.remember(session=session, status_code=201, body=result)
    return result


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
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Any:
    async with runtime.transaction() as session:
        wall = await _wall(session, wall_id)
        if not service.may_transcribe(principal, wall):
            raise HTTPException(
                status_code=403, detail="only grid staff of the wall's community transcribe it"
            )
        replay = await idempotency.replay(
            session=session, scope=f"staff:{principal.sub}", payload=body
        )
        if replay is not None:
            return replay
        results = await service.transcribe(
            session=session,
            runtime=runtime,
            settings=settings,
            wall=wall,
            notes=body.notes,
            staff_id=principal.sub,
            correlation_id=correlation_id(request),
        )
        created = sum(1 for r in results if r.status == "created")
        result = TranscriptionResult(
            created=created, invalid=len(results) - created, results=results
        )
        await idempotency.remember(session=session, status_code=200, body=result)
    return result
