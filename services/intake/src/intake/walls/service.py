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
from gridcase_events.kit.runtime import Runtime
from intake import scopes
from intake.attachments import service as attachment_service
from intake.cases import service as case_service
from intake.config import IntakeSettings
from intake.ratelimits import service as rate_service
from intake.ratelimits.schemas import Limit
from intake.walls import repository
from intake.walls.models import Wall
from intake.walls.schemas import NoteResult, Point, WallCreate, WallRead, WishIn

log = structlog.get_logger(__name__)

WISHES = Counter(
    "gridcase_intake_wishes_total",
    "Wishes taken in from wish walls, by source (public or transcribed)",
    ["source"],
)


class WallExists(Exception):
    pass


class AttachmentsUnknown(Exception):
    def __init__(self, urls: list[str]) -> None:
        super().__init__("attachments not stored by intake")
        self.urls = urls


def may_manage(principal: Principal, community_code: str) -> bool:
    """Admins anywhere; a station master in their own community."""
    if principal.role == "admin":
        return True
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
    )


def submission_url(wall_id: str, settings: IntakeSettings) -> str:
    return f"{settings.wall_base_url}/{wall_id}"


async def create(
    *, session: AsyncSession, runtime: Runtime, wall: WallCreate, created_by: str
) -> Wall:
    values = {
        "id": wall.wall_id,
        "community_code": wall.community_code,
        "name": wall.name,
        "lat": wall.location.lat if wall.location else None,
        "lon": wall.location.lon if wall.location else None,
        "created_at": runtime.clock.now(),
        "created_by": created_by,
    }
    if not await repository.add_if_new(session, values):
        raise WallExists(f"wall {wall.wall_id} exists")
    created = await repository.get(session, wall.wall_id)
    assert created is not None
    return created


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
    runtime: Runtime,
    settings: IntakeSettings,
    wall: Wall,
    client: str,
    kind: str,
) -> rate_service.RateLimited | None:
    """Counts a public request against the client's and the wall's limits. A client
    over its own limit does not use up the wall's (one noisy client cannot silence a
    wall for everyone)."""
    per_client, per_wall = limits(settings, kind=kind)
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
    runtime: Runtime,
    settings: IntakeSettings,
    wall: Wall,
    wish: WishIn,
    source: str,
    correlation_id: str,
    transcribed_by: str | None = None,
) -> Taken:
    """One wish → one case (channel ``wish_wall``) located at the wall unless the wish
    says where."""
    unknown = await attachment_service.unknown_urls(
        session=session, base_url=settings.public_base_url, urls=wish.attachments
    )
    if unknown:
        raise AttachmentsUnknown(unknown)
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
    runtime: Runtime,
    settings: IntakeSettings,
    wall: Wall,
    notes: list[dict[str, Any]],
    staff_id: str,
    correlation_id: str,
) -> list[NoteResult]:
    """Each valid note becomes a case; invalid ones are reported with their errors and
    do not stop the others."""
    results: list[NoteResult] = []
    for index, raw in enumerate(notes):
        try:
            wish = WishIn.model_validate(raw, context={"bounds": settings.bounds})
        except ValidationError as exc:
            results.append(
                NoteResult(index=index, status="invalid", errors=note_errors(exc, index))
            )
            continue
        try:
            taken = await take_wish(
                session=session,
                runtime=runtime,
                settings=settings,
                wall=wall,
                wish=wish,
                source="transcribed",
                correlation_id=correlation_id,
                transcribed_by=staff_id,
            )
        except AttachmentsUnknown as exc:
            results.append(
                NoteResult(
                    index=index,
                    status="invalid",
                    errors=[
                        {
                            "loc": ["body", "notes", index, "attachments"],
                            "msg": f"not an attachment stored by intake: {url}",
                            "type": "unknown_attachment",
                        }
                        for url in exc.urls
                    ],
                )
            )
            continue
        results.append(
            NoteResult(
                index=index, status="created", case_id=taken.case_id, tracking_no=taken.tracking_no
            )
        )
    return results
