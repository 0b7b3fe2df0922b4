"""Wish walls (小巷心愿墙): residents' notes by QR code, and grid members' transcriptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from prometheus_client import Counter
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit import db
from gridcase_events.kit.auth import Principal
from gridcase_events.kit.errors import Conflict, Forbidden, NotFound
from gridcase_events.kit.versions import ensure_unchanged
from intake import district, scopes
from intake.attachments import service as attachment_service
from intake.cases import service as case_service
from intake.config import IntakeSettings
from intake.deps import IntakeRuntime
from intake.idempotency.schemas import Key, Replay
from intake.idempotency.service import idempotent
from intake.ratelimits import service as rate_service
from intake.ratelimits.schemas import Limit
from intake.walls import repository
from intake.walls.models import Wall
from intake.walls.schemas import (
    NoteResult,
    Point,
    TranscriptionIn,
    TranscriptionResult,
    WallCreate,
    WallRead,
    WallUpdate,
    WishCreated,
    WishIn,
)

log = structlog.get_logger(__name__)

WISHES = Counter(
    "gridcase_intake_wishes_total",
    "Wishes taken in from wish walls, by source (public or transcribed)",
    ["source"],
)


class WallExists(Conflict):
    pass


class WallNotFound(NotFound):
    def __init__(self, wall_id: str) -> None:
        super().__init__(f"no wall {wall_id}")


class WallClosed(Conflict):
    """409: the wall is closed (停用: taken down or paused) and takes no wishes."""

    code = "wall_closed"

    def __init__(self, wall_id: str) -> None:
        super().__init__(
            f"wall {wall_id} is closed and takes no wishes; 这面心愿墙已停用，暂不接收心愿",
            extra={"wall_id": wall_id},
        )


def ensure_open(wall: Wall) -> None:
    """Residents' wishes and photos go only to an open wall. Notes already on a wall
    that is being taken down are still transcribed (they were posted while it was open)."""
    if wall.closed_at is not None:
        raise WallClosed(wall.id)


async def get_wall(session: AsyncSession, wall_id: str) -> Wall:
    wall = await repository.get(session, wall_id)
    if wall is None:
        raise WallNotFound(wall_id)
    return wall


async def list_walls(*, session: AsyncSession, principal: Principal) -> list[Wall]:
    return [w for w in await repository.list_walls(session) if may_see(principal, w)]


async def visible_wall(*, session: AsyncSession, principal: Principal, wall_id: str) -> Wall:
    """The wall, if the caller's area covers it or lies in it."""
    wall = await get_wall(session, wall_id)
    if not may_see(principal, wall):
        raise Forbidden("this wall is outside your area")
    return wall


def may_manage(principal: Principal, community_code: str) -> bool:
    """Admins within their scope (a district's admin in their district, the
    deployment's anywhere); a station master in their own community."""
    if principal.role == "admin":
        return scopes.covers(principal, community_code)
    return principal.role == "station_master" and principal.area_code == community_code


def may_transcribe(principal: Principal, wall: Wall) -> bool:
    """Grid members, grid leaders and station masters of the wall's community."""
    return (
        principal.role in {"grid_member", "grid_leader", "station_master"}
        and principal.area_code is not None
        and principal.area_code.startswith(wall.community_code)
    )


def may_see(principal: Principal, wall: Wall) -> bool:
    return scopes.works_in(principal, wall.community_code)


def to_read(wall: Wall, settings: IntakeSettings) -> WallRead:
    base = settings.public_base_url.rstrip("/")
    return WallRead(
        wall_id=wall.id,
        community_code=wall.community_code,
        name=wall.name,
        location=(
            Point(lat=wall.lat, lon=wall.lon)
            if wall.lat is not None and wall.lon is not None
            else None
        ),
        submission_url=submission_url(wall.id, settings),
        qr_png_url=f"{base}/v1/walls/{wall.id}/qr.png",
        qr_svg_url=f"{base}/v1/walls/{wall.id}/qr.svg",
        closed=wall.closed_at is not None,
        closed_at=wall.closed_at,
        closed_by=wall.closed_by,
        updated_at=wall.updated_at,
        updated_by=wall.updated_by,
    )


def submission_url(wall_id: str, settings: IntakeSettings) -> str:
    return f"{settings.wall_base_url}/{wall_id}"


async def create(
    *, session: AsyncSession, runtime: IntakeRuntime, wall: WallCreate, created_by: str
) -> Wall:
    values = {
        "id": wall.wall_id,
        "community_code": wall.community_code,
        "name": wall.name,
        "lat": wall.location.lat if wall.location else None,
        "lon": wall.location.lon if wall.location else None,
        "created_at": runtime.clock.now(),
        "created_by": created_by,
        "updated_at": runtime.clock.now(),
        "updated_by": created_by,
    }
    if not await repository.add_if_new(session, values):
        raise WallExists(f"wall {wall.wall_id} exists")
    return await get_wall(session, wall.wall_id)


async def create_wall(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    wall: WallCreate,
    key: Key | None,
) -> WallRead | Replay:
    """A new wall (admins, or the station master of its community), once per key."""
    if not may_manage(principal, wall.community_code):
        raise Forbidden(f"you may not create walls in {wall.community_code}")

    async def effect() -> WallRead:
        created = await create(
            session=session, runtime=runtime, wall=wall, created_by=principal.sub
        )
        return to_read(created, runtime.settings)

    return await idempotent(
        session=session, key=key, scope=f"staff:{principal.sub}", payload=wall, effect=effect
    )


async def update_wall(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    wall_id: str,
    changes: WallUpdate,
) -> WallRead:
    """Renames, moves, closes (停用) or reopens (启用) a wall (whoever may create it
    there); a wall outside the caller's area is not found, one in it that is not theirs
    to manage is 403; sent with the version read, a wall changed since is a 409."""
    wall = await repository.get_for_update(session, wall_id)
    if wall is None or not (may_see(principal, wall) or may_manage(principal, wall.community_code)):
        raise WallNotFound(wall_id)
    if not may_manage(principal, wall.community_code):
        raise Forbidden(f"you may not change walls in {wall.community_code}")
    ensure_unchanged(
        what=f"wall {wall.id}",
        expected=changes.expected_updated_at,
        current_at=wall.updated_at,
        current_by=wall.updated_by,
    )
    now = runtime.clock.now()
    values: dict[str, Any] = {"updated_at": now, "updated_by": principal.sub}
    if "name" in changes.model_fields_set:
        values["name"] = changes.name
    if "location" in changes.model_fields_set:
        values["lat"] = changes.location.lat if changes.location else None
        values["lon"] = changes.location.lon if changes.location else None
    if "closed" in changes.model_fields_set and changes.closed != (wall.closed_at is not None):
        values["closed_at"] = now if changes.closed else None
        values["closed_by"] = principal.sub if changes.closed else None
    await repository.change(session, wall, values)
    log.info("wall_updated", wall_id=wall.id, fields=sorted(changes.model_fields_set))
    return to_read(wall, runtime.settings)


def limits(settings: IntakeSettings, *, kind: str) -> tuple[Limit, Limit]:
    """The per-client and per-wall limits for one kind of public request."""
    return (
        Limit(
            f"wall-{kind}-client", settings.wall_client_limit, settings.wall_client_window_seconds
        ),
        Limit(f"wall-{kind}", settings.wall_limit, settings.wall_window_seconds),
    )


async def throttle(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    wall: Wall,
    client: str,
    kind: str,
) -> rate_service.RateLimited | None:
    """Counts a public request against the client's and the wall's limits. A client
    over its own limit does not use up the wall's (one noisy client cannot silence a
    wall for everyone)."""
    per_client, per_wall = limits(runtime.settings, kind=kind)
    now = runtime.clock.now()
    refused = await rate_service.hit(
        session=session, key=f"{wall.id}:{client}", limit=per_client, now=now
    )
    if refused is None:
        refused = await rate_service.hit(session=session, key=wall.id, limit=per_wall, now=now)
    if refused is not None:
        log.info("wish wall request refused", wall_id=wall.id, limit=refused.limit.name)
    return refused


@dataclass(frozen=True)
class Taken:
    case_id: str
    tracking_no: str


async def take_wish(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    wall: Wall,
    wish: WishIn,
    source: str,
    correlation_id: str,
    transcribed_by: str | None = None,
    attachments_loc: tuple[str | int, ...] = ("body", "attachments"),
) -> Taken:
    """One wish → one case (channel ``wish_wall``) located at the wall unless the wish
    says where."""
    await attachment_service.check_known(
        session=session,
        base_url=runtime.settings.public_base_url,
        urls=wish.attachments,
        loc=attachments_loc,
    )
    point = wish.point or (
        Point(lat=wall.lat, lon=wall.lon) if wall.lat is not None and wall.lon is not None else None
    )
    report = case_service.Report(
        channel="wish_wall",
        external_ref=None,
        reported_at=runtime.clock.now(),
        content=wish.content,
        priority="normal",
        category_hint=wish.category_hint,
        address=f"{wall.name} (community {wall.community_code})",
        lat=point.lat if point else None,
        lon=point.lon if point else None,
        reporter_phone=wish.phone,
        attachments=tuple(wish.attachments),
    )
    case, _ = await case_service.report(
        session=session, runtime=runtime, report=report, correlation_id=correlation_id
    )
    await repository.add_wish(
        session,
        {
            "case_id": case.id,
            "wall_id": wall.id,
            "source": source,
            "transcribed_by": transcribed_by,
        },
    )
    db.on_commit(session, WISHES.labels(source).inc)  # a rolled-back transcription counts nothing
    log.info("wish taken", case_id=str(case.id), wall_id=wall.id, source=source)
    return Taken(case_id=str(case.id), tracking_no=case.tracking_no)


async def take_public_wish(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    wall: Wall,
    wish: WishIn,
    client: str,
    key: Key | None,
    correlation_id: str,
) -> WishCreated | Replay:
    """A resident's wish at a wall, the one way both the JSON endpoint and the wall's
    page take it (after :func:`intake.walls.admission.admit` counted it): once per
    key and client, as a case."""

    async def effect() -> WishCreated:
        taken = await take_wish(
            session=session,
            runtime=runtime,
            wall=wall,
            wish=wish,
            source="public",
            correlation_id=correlation_id,
        )
        return WishCreated(tracking_no=taken.tracking_no)

    return await idempotent(
        session=session,
        key=key,
        scope=f"wall:{wall.id}:client:{client}",
        payload=wish,
        effect=effect,
    )


def note_errors(exc: ValidationError, index: int) -> list[dict[str, Any]]:
    return [
        {
            "loc": ["body", "notes", index, *error["loc"]],
            "msg": error["msg"],
            "type": error["type"],
        }
        for error in exc.errors(include_url=False)
    ]


async def transcribe(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    wall: Wall,
    notes: list[dict[str, Any]],
    staff_id: str,
    correlation_id: str,
) -> list[NoteResult]:
    """Each valid note becomes a case; invalid ones are reported with their errors and
    do not stop the others."""
    results: list[NoteResult] = []
    where = await district.current(session, runtime)
    for index, raw in enumerate(notes):
        try:
            wish = WishIn.model_validate(raw, context={"district": where})
        except ValidationError as exc:
            results.append(
                NoteResult(index=index, status="invalid", errors=note_errors(exc, index))
            )
            continue
        try:
            taken = await take_wish(
                session=session,
                runtime=runtime,
                wall=wall,
                wish=wish,
                source="transcribed",
                correlation_id=correlation_id,
                transcribed_by=staff_id,
                attachments_loc=("body", "notes", index, "attachments"),
            )
        except attachment_service.AttachmentsUnknown as exc:
            errors = [
                {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
            ]
            results.append(NoteResult(index=index, status="invalid", errors=errors))
            continue
        results.append(
            NoteResult(
                index=index, status="created", case_id=taken.case_id, tracking_no=taken.tracking_no
            )
        )
    return results


async def transcribe_wall(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    wall_id: str,
    notes: TranscriptionIn,
    key: Key | None,
    correlation_id: str,
) -> TranscriptionResult | Replay:
    """A wall's notes transcribed by grid staff of its community, once per key."""
    wall = await get_wall(session, wall_id)
    if not may_transcribe(principal, wall):
        raise Forbidden("only grid staff of the wall's community transcribe it")

    async def effect() -> TranscriptionResult:
        results = await transcribe(
            session=session,
            runtime=runtime,
            wall=wall,
            notes=notes.notes,
            staff_id=principal.sub,
            correlation_id=correlation_id,
        )
        created = sum(1 for r in results if r.status == "created")
        return TranscriptionResult(created=created, invalid=len(results) - created, results=results)

    return await idempotent(
        session=session,
        key=key,
        scope=f"staff:{principal.sub}",
        payload=notes,
        effect=effect,
        status_code=200,
    )
