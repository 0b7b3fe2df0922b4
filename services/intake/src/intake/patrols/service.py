"""Patrols (巡查): sessions of a grid member in their grid, the cases found on them, and
compliance with the practice (patrol at least twice a day, at least an hour each)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import structlog
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads
from gridcase_events.areas import district_of
from gridcase_events.envelope import new_id
from gridcase_events.kit import db, errors
from gridcase_events.kit.auth import Principal, scope_of
from intake.attachments import service as attachment_service
from intake.cases import service as case_service
from intake.cases.models import Case
from intake.cases.schemas import CaseCreated
from intake.config import IntakeSettings
from intake.deps import IntakeRuntime
from intake.idempotency.schemas import Key, Replay
from intake.idempotency.service import idempotent
from intake.patrols import repository
from intake.patrols.models import PatrolSession
from intake.patrols.schemas import (
    ComplianceDay,
    FieldReportIn,
    PatrolRead,
    PracticeRead,
    TodayRead,
)

log = structlog.get_logger(__name__)
FIELD_ROLES = frozenset({"grid_member", "grid_leader"})

SESSIONS = Counter("gridcase_intake_patrol_sessions_total", "Patrol sessions by event", ["event"])


class Forbidden(errors.Forbidden):
    """Not your grid, not your session, or not your role."""


class Conflict(errors.Conflict):
    """A session is already open, or this one has ended."""


class NotFound(errors.NotFound):
    pass


def own_grid(principal: Principal, grid_code: str | None) -> str:
    """The grid a field worker acts in: their token's, and no other."""
    if principal.role not in FIELD_ROLES:
        raise Forbidden(f"role {principal.role} does not patrol or visit")
    if not principal.area_code:
        raise Forbidden("your token has no area_code (your grid)")
    grid = grid_code or principal.area_code
    if grid != principal.area_code:
        raise Forbidden(f"grid {grid} is not yours ({principal.area_code})")
    return grid


def minutes(started_at: datetime, ended_at: datetime | None) -> int | None:
    if ended_at is None:
        return None
    return int((ended_at - started_at).total_seconds() // 60)


def to_read(patrol: PatrolSession, reports: int = 0) -> PatrolRead:
    return PatrolRead(
        id=patrol.id,
        staff_id=patrol.staff_id,
        grid_code=patrol.grid_code,
        started_at=patrol.started_at,
        ended_at=patrol.ended_at,
        minutes=minutes(patrol.started_at, patrol.ended_at),
        reports=reports,
    )


async def start_session(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    grid_code: str | None,
    payload: object,
    key: Key | None,
) -> PatrolRead | Replay:
    """A new patrol session, once per key."""

    async def effect() -> PatrolRead:
        return to_read(
            await start(session=session, runtime=runtime, principal=principal, grid_code=grid_code)
        )

    return await idempotent(
        session=session, key=key, scope=f"staff:{principal.sub}", payload=payload, effect=effect
    )


async def end_session(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    session_id: UUID,
    key: Key | None,
    correlation_id: str,
) -> PatrolRead | Replay:
    """The caller's session ended, once per key."""

    async def effect() -> PatrolRead:
        patrol = await end(
            session=session,
            runtime=runtime,
            principal=principal,
            session_id=session_id,
            correlation_id=correlation_id,
        )
        return to_read(patrol, await repository.count_reports(session, patrol.id))

    return await idempotent(
        session=session,
        key=key,
        scope=f"staff:{principal.sub}",
        payload=None,
        effect=effect,
        status_code=200,
    )


async def start(
    *, session: AsyncSession, runtime: IntakeRuntime, principal: Principal, grid_code: str | None
) -> PatrolSession:
    grid = own_grid(principal, grid_code)
    session_id = new_id()
    added = await repository.add_if_none_open(
        session,
        {
            "id": session_id,
            "staff_id": principal.sub,
            "grid_code": grid,
            "started_at": runtime.clock.now(),
            "ended_at": None,
        },
    )
    if not added:
        open_session = await repository.get_open(session, principal.sub)
        raise Conflict(
            "you have a patrol session open"
            + (f": {open_session.id}; end it first" if open_session else ""),
            extra={"open_session_id": str(open_session.id)} if open_session else None,
        )
    started = await repository.get(session, session_id)
    if started is None:
        raise RuntimeError(f"patrol session {session_id} was not stored")
    db.on_commit(session, SESSIONS.labels("started").inc)
    log.info("patrol started", patrol_id=str(session_id), grid_code=grid)
    return started


async def _owned(session: AsyncSession, principal: Principal, session_id: UUID) -> PatrolSession:
    patrol = await repository.get(session, session_id, lock=True)
    if patrol is None:
        raise NotFound(f"no patrol session {session_id}")
    if patrol.staff_id != principal.sub:
        raise Forbidden("only the person patrolling may act on this session")
    return patrol


async def end(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    session_id: UUID,
    correlation_id: str,
) -> PatrolSession:
    """Ends the caller's open session and announces it (``patrol.ended``) through the
    outbox in the same transaction: escalation's assessment counts compliance from it."""
    patrol = await _owned(session, principal, session_id)
    if patrol.ended_at is not None:
        raise Conflict(
            f"the session ended at {patrol.ended_at.isoformat()}",
            extra={"ended_at": patrol.ended_at.isoformat()},
        )
    await repository.end(session, session_id, at=runtime.clock.now())
    ended = await repository.get(session, session_id)
    if ended is None:
        raise RuntimeError(f"patrol session {session_id} vanished")
    await announce_end(
        session=session,
        runtime=runtime,
        principal=principal,
        patrol=ended,
        correlation_id=correlation_id,
    )
    db.on_commit(session, SESSIONS.labels("ended").inc)
    log.info(
        "patrol ended", patrol_id=str(session_id), minutes=minutes(ended.started_at, ended.ended_at)
    )
    return ended


def ended_payload(
    patrol: PatrolSession, *, role: payloads.StaffRole, settings: IntakeSettings
) -> payloads.PatrolEnded:
    """The event of an ended session, judged by the practice as
    :func:`compliance_report` judges it (the local day of its start, its whole minutes)."""
    if patrol.ended_at is None:
        raise ValueError(f"patrol session {patrol.id} has not ended")
    length = minutes(patrol.started_at, patrol.ended_at) or 0
    return payloads.PatrolEnded(
        session_id=patrol.id,
        staff_id=patrol.staff_id,
        staff_role=role,
        grid_code=patrol.grid_code,
        started_at=patrol.started_at,
        ended_at=patrol.ended_at,
        minutes=length,
        day=patrol.started_at.astimezone(ZoneInfo(settings.patrol_timezone)).date(),
        qualifying=length >= settings.patrol_min_session_minutes,
        min_sessions_per_day=settings.patrol_min_sessions_per_day,
        min_session_minutes=settings.patrol_min_session_minutes,
    )


async def announce_end(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    patrol: PatrolSession,
    correlation_id: str,
) -> None:
    """Only the person patrolling ends a session (:func:`_owned`): their role is the
    patroller's."""
    await runtime.emit(
        session,
        ended_payload(patrol, role=principal.role, settings=runtime.settings),
        subject=str(patrol.id),
        correlation_id=correlation_id,
        tenant=district_of(patrol.grid_code),
    )


async def report(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    session_id: UUID,
    body: FieldReportIn,
    correlation_id: str,
) -> Case:
    """A case (channel ``patrol``) found during an open session of the caller's."""
    patrol = await _owned(session, principal, session_id)
    if patrol.ended_at is not None:
        raise Conflict(
            "the patrol session has ended; report during an open session",
            extra={"ended_at": patrol.ended_at.isoformat()},
        )
    case = await file_case(
        session=session,
        runtime=runtime,
        channel="patrol",
        body=body,
        address=None,
        correlation_id=correlation_id,
    )
    await repository.add_report(session, case_id=case.id, session_id=patrol.id)
    return case


async def file_case(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    channel: Literal["patrol", "visit"],
    body: FieldReportIn,
    address: str | None,
    correlation_id: str,
) -> Case:
    """A field report (patrol or visit) through the one way cases are made."""
    await attachment_service.check_known(
        session=session,
        base_url=runtime.settings.public_base_url,
        urls=body.attachments,
        loc=("body", "attachments"),
    )
    case, _ = await case_service.report(
        session=session,
        runtime=runtime,
        report=case_service.Report(
            channel=channel,
            external_ref=None,
            reported_at=runtime.clock.now(),
            content=body.description,
            priority="urgent" if body.urgency == "urgent" else "normal",
            category_hint=body.category_hint,
            address=address,
            lat=body.point.lat if body.point else None,
            lon=body.point.lon if body.point else None,
            attachments=tuple(body.attachments),
        ),
        correlation_id=correlation_id,
    )
    structlog.contextvars.bind_contextvars(case_id=str(case.id))
    log.info("field report filed", channel=channel, tracking_no=case.tracking_no)
    return case


def local_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the practice's time zone."""
    return (
        datetime.combine(start, time(), tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time(), tzinfo=tz),
    )


def may_see_compliance(principal: Principal, area_code: str | None) -> str | None:
    """The area the caller may ask about (the one asked, or their own by default);
    :class:`Forbidden` otherwise."""
    desks = {"ops", "admin", "district_center", "city_center"}
    if principal.role in desks | {"grid_leader", "station_master", "street_officer"}:
        scope = scope_of(principal)  # the kit's one rule: the city level sees every district
        if scope.everything:
            return area_code
        mine = scope.area_prefix
        if not mine:
            raise Forbidden("your token has no area_code")
        area = area_code or mine
        if not area.startswith(mine):
            raise Forbidden(f"area {area} is outside yours ({mine})")
        return area
    raise Forbidden(f"role {principal.role} may not see patrol compliance")


async def compliance_report(
    *,
    session: AsyncSession,
    settings: IntakeSettings,
    area_code: str | None,
    start: date,
    end: date,
) -> list[ComplianceDay]:
    """Per grid and local day (of the session's start): sessions, minutes patrolled, and
    whether at least the practice's number of sessions lasted its minutes or more —
    counted by the database, a row per grid and day however many sessions."""
    lower, upper = local_bounds(start, end, ZoneInfo(settings.patrol_timezone))
    rows = await repository.compliance_days(
        session,
        area_prefix=area_code,
        start=lower,
        end=upper,
        timezone=settings.patrol_timezone,
        min_minutes=settings.patrol_min_session_minutes,
    )
    return [
        ComplianceDay(
            grid_code=row.grid_code,
            date=row.day,
            sessions=row.sessions,
            minutes=int(row.minutes),
            qualifying_sessions=row.qualifying,
            met=row.qualifying >= settings.patrol_min_sessions_per_day,
        )
        for row in rows
    ]


async def sessions_in_area(
    *,
    session: AsyncSession,
    settings: IntakeSettings,
    area_code: str | None,
    day: date,
    limit: int = 500,
) -> list[PatrolRead]:
    """The patrols that started on a local day in the area (open ones too), each with
    its report count: whose tracks a station master's map draws."""
    lower, upper = local_bounds(day, day, ZoneInfo(settings.patrol_timezone))
    patrols = await repository.in_area(
        session, area_prefix=area_code, start=lower, end=upper, limit=limit
    )
    counts = await repository.report_counts(session, [p.id for p in patrols])
    return [to_read(p, counts.get(p.id, 0)) for p in patrols]


async def report_case(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    session_id: UUID,
    body: FieldReportIn,
    key: Key | None,
    correlation_id: str,
) -> CaseCreated | Replay:
    """A case found on the caller's open session, once per key."""

    async def effect() -> CaseCreated:
        case = await report(
            session=session,
            runtime=runtime,
            principal=principal,
            session_id=session_id,
            body=body,
            correlation_id=correlation_id,
        )
        return CaseCreated(case_id=case.id, tracking_no=case.tracking_no)

    return await idempotent(
        session=session, key=key, scope=f"staff:{principal.sub}", payload=body, effect=effect
    )


async def today(
    *, session: AsyncSession, runtime: IntakeRuntime, settings: IntakeSettings, principal: Principal
) -> TodayRead:
    """The caller's sessions of the local day (and an open one from before), with how
    many already meet the practice's length: what the app shows while patrolling."""
    own_grid(principal, None)
    tz = ZoneInfo(settings.patrol_timezone)
    day = runtime.clock.now().astimezone(tz).date()
    lower, _ = local_bounds(day, day, tz)
    sessions = await repository.mine_since(session, principal.sub, lower)
    counts = await repository.report_counts(session, [s.id for s in sessions])
    reads = [to_read(s, counts.get(s.id, 0)) for s in sessions]
    qualifying = sum(
        1
        for s in reads
        if s.minutes is not None
        and s.minutes >= settings.patrol_min_session_minutes
        and s.started_at >= lower
    )
    return TodayRead(
        date=day,
        timezone=settings.patrol_timezone,
        practice=PracticeRead(
            min_sessions_per_day=settings.patrol_min_sessions_per_day,
            min_session_minutes=settings.patrol_min_session_minutes,
        ),
        sessions=reads,
        qualifying_sessions=qualifying,
        met=qualifying >= settings.patrol_min_sessions_per_day,
    )
