"""The working-day calendar: local holidays and make-up days, and deadline previews."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query

from escalation.calendar import service
from escalation.calendar.schemas import CalendarDayIn, CalendarDayRead, DeadlinePreview
from escalation.deps import RuntimeDep, SettingsDep
from escalation.policies.schemas import ClockKind, PolicyRead
from escalation.scope import District, visible_district, walled_district
from gridcase_events.kit.auth import CurrentPrincipal, Principal, require_roles
from gridcase_events.kit.errors import Invalid
from gridcase_events.kit.runtime import SessionDep
from gridcase_events.kit.text import Storable

router = APIRouter(tags=["clocks"])
Admin = Annotated[Principal, Depends(require_roles("admin"))]


@router.get(
    "/v1/calendar/days",
    response_model=list[CalendarDayRead],
    summary="The local holidays and make-up working days of a year (the city's and yours)",
)
async def list_calendar_days(
    session: SessionDep,
    principal: CurrentPrincipal,
    year: Annotated[int, Query(ge=2000, le=2100)],
    district: District = None,
) -> list[CalendarDayRead]:
    days = await service.days_of_year(
        session, year=year, district=visible_district(principal, district)
    )
    return [CalendarDayRead.model_validate(d) for d in days]


@router.put(
    "/v1/calendar/days",
    summary="Add local holidays or make-up working days (admin)",
    status_code=204,
    responses={
        403: {"description": "another district's days, or the city's"},
        409: {"description": "a day changed by someone else since its expected_updated_at"},
    },
)
async def put_calendar_days(
    body: list[CalendarDayIn], session: SessionDep, runtime: RuntimeDep, principal: Admin
) -> None:
    await service.add_days(
        session,
        body,
        walled=walled_district(principal),
        by=principal.sub,
        at=runtime.clock.now(),
    )


@router.get(
    "/v1/calendar/preview",
    response_model=DeadlinePreview,
    summary='"The resolution deadline for category X, starting now, is …"',
)
async def preview(
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    clock: ClockKind = "resolution",
    priority: Annotated[str, Query(pattern="^(urgent|normal)$")] = "normal",
    category_code: Annotated[str | None, Query(max_length=64), Storable] = None,
    start: datetime | None = None,
    district: District = None,
) -> DeadlinePreview:
    if start is not None and start.tzinfo is None:
        raise Invalid("start needs a UTC offset")
    begin = start or runtime.clock.now()
    due, policy = await service.deadline(
        session,
        settings,
        kind=clock,
        category_code=category_code,
        priority=priority,
        start=begin,
        district=visible_district(principal, district),
    )
    return DeadlinePreview(
        category_code=category_code,
        priority=priority,
        clock=clock,
        start=begin,
        due_at=due,
        due_local=due.astimezone(ZoneInfo(settings.timezone)).isoformat(),
        policy=PolicyRead.model_validate(policy, from_attributes=True),
    )
