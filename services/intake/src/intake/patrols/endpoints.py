"""Patrol sessions, reports made during them, and compliance with the practice."""

from __future__ import annotations

from datetime import UTC, date
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError

from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.bodylimit import require_json
from gridcase_events.kit.http import correlation_id
from intake import district
from intake.cases.schemas import CaseCreated
from intake.deps import RuntimeDep, SessionDep, SettingsDep
from intake.idempotency.deps import IdempotencyDep, respond
from intake.patrols import service, track
from intake.patrols.schemas import (
    ERRORS,
    ComplianceRead,
    FieldReportIn,
    PatrolRead,
    PatrolStart,
    PracticeRead,
    TodayRead,
    TrackBatchIn,
    TrackBatchRead,
    TrackFeature,
)

router = APIRouter(tags=["patrols"], dependencies=[Depends(require_json)])


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
    session: SessionDep,
    key: IdempotencyDep,
    body: PatrolStart | None = None,
) -> Any:
    body = body or PatrolStart()
    return respond(
        await service.start_session(
            session=session,
            runtime=runtime,
            principal=principal,
            grid_code=body.grid_code,
            payload=body,
            key=key,
        )
    )


@router.post(
    "/v1/patrols/{session_id}/end",
    response_model=PatrolRead,
    summary="End my patrol session",
    responses=ERRORS,
)
async def end_patrol(
    session_id: UUID,
    request: Request,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    session: SessionDep,
    key: IdempotencyDep,
) -> Any:
    return respond(
        await service.end_session(
            session=session,
            runtime=runtime,
            principal=principal,
            session_id=session_id,
            key=key,
            correlation_id=correlation_id(request),
        )
    )


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
    session: SessionDep,
    key: IdempotencyDep,
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
    district.check_point(body.point, await district.current(session, runtime), ("body", "point"))
    return respond(
        await service.report_case(
            session=session,
            runtime=runtime,
            principal=principal,
            session_id=session_id,
            body=body,
            key=key,
            correlation_id=correlation_id(request),
        )
    )


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
    session: SessionDep,
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
    area = service.may_see_compliance(principal, area_code)
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


@router.get(
    "/v1/patrols",
    response_model=list[PatrolRead],
    summary="The patrols of a day in an area (open ones too), for the map of their tracks",
    description="Who may see patrol compliance may list them: ops, admin and "
    "district_center anywhere; grid leaders, station masters and street officers within "
    "their area. The day is a local day in INTAKE_PATROL_TIMEZONE (today by default); "
    "at most 500 sessions, by grid then start.",
    responses={403: {"description": "outside your area or not your role"}},
)
async def patrols_of_a_day(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    settings: SettingsDep,
    session: SessionDep,
    area_code: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None,
    day: Annotated[date | None, Query(alias="date")] = None,
) -> list[PatrolRead]:
    area = service.may_see_compliance(principal, area_code)
    today = runtime.clock.now().astimezone(ZoneInfo(settings.patrol_timezone)).date()
    if day is not None and not date(1, 1, 2) <= day <= date(9999, 12, 30):
        raise RequestValidationError(
            [{"loc": ("query", "date"), "msg": "a date out of range", "type": "value_error"}]
        )
    return await service.sessions_in_area(
        session=session, settings=settings, area_code=area, day=day or today
    )


@router.get(
    "/v1/patrols/today",
    response_model=TodayRead,
    summary="My patrol sessions today (and an open one), against the practice",
    description="For the grid member's app: days are local days in INTAKE_PATROL_TIMEZONE.",
    responses={403: {"description": "not a grid member or leader"}},
)
async def my_patrols_today(
    principal: CurrentPrincipal, runtime: RuntimeDep, settings: SettingsDep, session: SessionDep
) -> TodayRead:
    return await service.today(
        session=session, runtime=runtime, settings=settings, principal=principal
    )


@router.post(
    "/v1/patrols/{session_id}/track",
    response_model=TrackBatchRead,
    summary="Add a batch of GPS points to my patrol's track (a resent batch adds nothing)",
    description="Points must be taken while the session was open (two minutes of clock skew "
    "allowed); a batch may arrive after the session ended (sent from the phone's queue). "
    "The same batch_id with other points is a 409.",
    responses={
        **ERRORS,
        409: {"description": "the batch id was already used with other points"},
        422: {"description": "a point out of range or outside the patrol, or too many"},
    },
)
async def add_track_batch(
    session_id: UUID,
    body: TrackBatchIn,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    session: SessionDep,
) -> TrackBatchRead:
    return await track.add_batch(
        session=session, runtime=runtime, principal=principal, session_id=session_id, body=body
    )


@router.get(
    "/v1/patrols/{session_id}/track",
    response_model=TrackFeature,
    summary="A patrol's track as a GeoJSON Feature (LineString of [lon, lat])",
    description="The patroller; grid leaders, station masters and street officers within "
    "their area; ops, admin and the district centre.",
    responses={
        403: {"description": "outside your area or not your role"},
        404: {"description": "no such session"},
    },
)
async def read_track(
    session_id: UUID, principal: CurrentPrincipal, session: SessionDep
) -> TrackFeature:
    return await track.read(session=session, principal=principal, session_id=session_id)
