"""Patrol sessions, reports made during them, and compliance with the practice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError

from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.bodylimit import require_json
from gridcase_events.kit.http import correlation_id
from intake import district
from intake.cases.schemas import CaseCreated
from intake.deps import RuntimeDep, SettingsDep
from intake.idempotency.endpoints import IdempotencyDep
from intake.patrols import repository, service
from intake.patrols.models import PatrolSession
from intake.patrols.schemas import (
    ComplianceRead,
    FieldReportIn,
    PatrolRead,
    PatrolStart,
    PracticeRead,
)
from intake.walls.endpoints import unknown_attachments

router = APIRouter(tags=["patrols"], dependencies=[Depends(require_json)])

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "not your grid or not your session"},
    404: {"description": "no such session"},
    409: {"description": "a session is already open, or this one has ended"},
}


@asynccontextmanager
async def domain_errors() -> AsyncIterator[None]:
    """The service's refusals as HTTP answers."""
    try:
        yield
    except service.Forbidden as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from exc
    except service.NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except service.Conflict as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    except service.AttachmentsUnknown as exc:
        raise unknown_attachments(exc.urls, ("body", "attachments")) from exc


def to_read(patrol: PatrolSession, reports: int = 0) -> PatrolRead:
    return PatrolRead(
        id=patrol.id,
        staff_id=patrol.staff_id,
        grid_code=patrol.grid_code,
        started_at=patrol.started_at,
        ended_at=patrol.ended_at,
        minutes=service.minutes(patrol.started_at, patrol.ended_at),
        reports=reports,
    )


@router.post(
    "/v1/patrols",
    status_code=201,
    response_model=PatrolRead,
    summary="Start a patrol session in my grid (grid members and leaders)",
    responses=ERRORS,
)
async def start_patrol(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    idempotency: IdempotencyDep,
    body: PatrolStart | None = None,
) -> Any:
    body = body or PatrolStart()
    async with domain_errors(), runtime.transaction() as session:
        replay = await idempotency.replay(
            session=session, scope=f"staff:{principal.sub}", payload=body
        )
        if replay is not None:
            return replay
        patrol = await service.start(
            session=session, runtime=runtime, principal=principal, grid_code=body.grid_code
        )
        result = to_read(patrol)
        await idempotency.remember(session=session, status_code=201, body=result)
    return result


@router.post(
    "/v1/patrols/{session_id}/end",
    response_model=PatrolRead,
    summary="End my patrol session",
    responses=ERRORS,
)
async def end_patrol(
    session_id: UUID, principal: CurrentPrincipal, runtime: RuntimeDep, idempotency: IdempotencyDep
) -> Any:
    async with domain_errors(), runtime.transaction() as session:
        replay = await idempotency.replay(
            session=session, scope=f"staff:{principal.sub}", payload=None
        )
        if replay is not None:
            return replay
        patrol = await service.end(
            session=session, runtime=runtime, principal=principal, session_id=session_id
        )
        result = to_read(patrol, await repository.count_reports(session, patrol.id))
        await idempotency.remember(session=session, status_code=200, body=result)
    return result


@router.post(
    "/v1/patrols/{session_id}/reports",
    status_code=201,
    response_model=CaseCreated,
    summary="Report a problem found on my open patrol session (a case, channel patrol)",
    responses={**ERRORS, 422: {"description": "invalid report (point required)"}},
)
async def report_on_patrol(
    session_id: UUID,
    body: FieldReportIn,
    request: Request,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Any:
    if body.point is None:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "point"),
                    "msg": "a patrol report needs the point where the problem is",
                    "type": "missing",
                }
            ]
        )
    district.check_point(body.point, settings.bounds, ("body", "point"))
    async with domain_errors(), runtime.transaction() as session:
        replay = await idempotency.replay(
            session=session, scope=f"staff:{principal.sub}", payload=body
        )
        if replay is not None:
            return replay
        case = await service.report(
            session=session,
            runtime=runtime,
            settings=settings,
            principal=principal,
            session_id=session_id,
            body=body,
            correlation_id=correlation_id(request),
        )
        result = CaseCreated(case_id=case.id, tracking_no=case.tracking_no)
        await idempotency.remember(session=session, status_code=201, body=result)
    return result


@router.get(
    "/v1/patrols/compliance",
    response_model=ComplianceRead,
    summary="Patrol compliance per grid and day (sessions, minutes, practice met)",
    description="ops, admin and district_center anywhere; grid leaders, station masters and "
    "street officers within their area. Days are local days in INTAKE_PATROL_TIMEZONE; a "
    "session counts for the day it started; open sessions are not counted.",
    responses={403: {"description": "outside your area or not your role"}},
)
async def patrol_compliance(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    settings: SettingsDep,
    area_code: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
) -> ComplianceRead:
    today = runtime.clock.now().astimezone(ZoneInfo(settings.patrol_timezone)).date()
    start, end = from_ or to or today, to or from_ or today
    if end < start:
        raise RequestValidationError(
            [{"loc": ("query", "to"), "msg": "to is before from", "type": "value_error"}]
        )
    if (end - start).days > 366:
        raise RequestValidationError(
            [{"loc": ("query", "to"), "msg": "at most 366 days at once", "type": "value_error"}]
        )
    try:
        # Both ends as instants (the day after `to`, in UTC) must exist: 9999-12-31 does not.
        for bound in service.local_bounds(start, end, ZoneInfo(settings.patrol_timezone)):
            bound.astimezone(UTC)
    except OverflowError:
        raise RequestValidationError(
            [{"loc": ("query", "from"), "msg": "a date out of range", "type": "value_error"}]
        ) from None
    async with domain_errors():
        area = service.may_see_compliance(principal, area_code)
    async with runtime.sessionmaker() as session:
        days = await service.compliance_report(
            session=session, settings=settings, area_code=area, start=start, end=end
        )
    return ComplianceRead(
        area_code=area,
        from_=start,
        to=end,
        timezone=settings.patrol_timezone,
        practice=PracticeRead(
            min_sessions_per_day=settings.patrol_min_sessions_per_day,
            min_session_minutes=settings.patrol_min_session_minutes,
        ),
        days=days,
    )
