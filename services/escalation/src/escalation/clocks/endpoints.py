from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from escalation.clocks import repository
from escalation.clocks.models import CaseClock
from escalation.clocks.schemas import (
    ClockKind,
    ClockRead,
    SupervisionIn,
    SupervisionRead,
)
from escalation.deps import RuntimeDep
from escalation.supervision import service as supervision
from gridcase_events.kit.auth import (
    CITYWIDE_ROLES,
    CurrentPrincipal,
    Principal,
    can_see,
    require_roles,
)
from gridcase_events.kit.http import bind_case, correlation_id

router = APIRouter(tags=["clocks"])
Admin = Annotated[Principal, Depends(require_roles("admin"))]


def _read(clock: CaseClock, now: datetime) -> ClockRead:
    reference = clock.paused_at or clock.stopped_at or now
    return ClockRead(
        case_id=clock.case_id,
        tracking_no=clock.tracking_no,
        kind=clock.kind,
        generation=clock.generation,
        status=clock.status,
        started_at=clock.started_at,
        due_at=clock.due_at,
        limit=f"{clock.limit_amount} {clock.limit_unit}",
        remaining_seconds=int((clock.due_at - reference).total_seconds()),
        paused=clock.status == "paused",
        breached=clock.breached_at is not None
        or (clock.status == "running" and clock.due_at <= now),
        stopped_at=clock.stopped_at,
        stop_reason=clock.stop_reason,
        grid_code=clock.grid_code,
        department_code=clock.department_code,
        assignee_id=clock.assignee_id,
    )


@router.get(
    "/v1/cases/{case_id}/clocks",
    response_model=list[ClockRead],
    summary="A case's clocks: deadline, remaining time, paused, breached",
    responses={403: {"description": "outside your grid or department"}, 404: {}},
)
async def case_clocks(
    case_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[ClockRead]:
    async with runtime.sessionmaker() as session:
        clocks = await repository.of_case(session, case_id)
    if not clocks:
        raise HTTPException(status_code=404, detail="no clocks for this case")
    latest = clocks[-1]
    if not can_see(principal, grid_code=latest.grid_code, department_code=latest.department_code):
        raise HTTPException(status_code=403, detail="this case is outside your scope")
    now = runtime.clock.now()
    return [_read(c, now) for c in clocks]


@router.get(
    "/v1/overdue",
    response_model=list[ClockRead],
    summary="Running clocks past their deadline, in your scope",
)
async def overdue(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    area_code: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None,
    department_code: Annotated[str | None, Query(max_length=32)] = None,
    clock: Annotated[
        ClockKind | None, Query(description="ownership: buck-passing (推诿) cases")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[ClockRead]:
    scope_area, scope_department = _scope(principal, area_code, department_code)
    now = runtime.clock.now()
    async with runtime.sessionmaker() as session:
        clocks = await repository.overdue(
            session, now=now, area_prefix=scope_area, department_code=scope_department, limit=limit
        )
    return [_read(c, now) for c in clocks if clock is None or c.kind == clock]


def _scope(
    principal: Principal, area_code: str | None, department_code: str | None
) -> tuple[str | None, str | None]:
    """The caller's scope bounds a filter: one may narrow it, never widen it (403)."""
    if principal.role == "department_operator":
        if area_code is not None or department_code not in (None, principal.department_code):
            raise HTTPException(status_code=403, detail="outside your department")
        return None, principal.department_code
    if principal.role in CITYWIDE_ROLES:
        if area_code is None and department_code is None:
            return principal.area_code, None
        return area_code, department_code
    mine = principal.area_code or ""
    if department_code is not None or (area_code is not None and not area_code.startswith(mine)):
        raise HTTPException(status_code=403, detail="outside your area")
    return area_code or mine, None


SUPERVISORS = ("station_master", "street_officer", "district_center")
Supervisor = Annotated[Principal, Depends(require_roles(*SUPERVISORS))]


@router.post(
    "/v1/supervisions",
    response_model=SupervisionRead,
    status_code=201,
    summary="Issue a supervision order (督办) by hand",
    responses={
        403: {"description": "not a supervisor of this case"},
        404: {"description": "no such case"},
    },
)
async def issue_supervision(
    body: SupervisionIn, request: Request, runtime: RuntimeDep, principal: Supervisor
) -> Any:
    bind_case(body.case_id)
    async with runtime.transaction() as session:
        clocks = await repository.of_case(session, body.case_id)
        if not clocks:
            raise HTTPException(status_code=404, detail="no such case here")
        latest = clocks[-1]
        if not can_see(
            principal, grid_code=latest.grid_code, department_code=latest.department_code
        ):
            raise HTTPException(status_code=403, detail="this case is outside your scope")
        order = await supervision.issue(
            session=session,
            runtime=runtime,
            clock=latest,
            card="none",
            source="manual",
            reason=body.reason,
            issued_by=principal.sub,
            at=runtime.clock.now(),
            correlation_id=correlation_id(request),
        )
    return SupervisionRead.model_validate(order, from_attributes=True)


@router.get(
    "/v1/supervisions",
    response_model=list[SupervisionRead],
    summary="Supervision orders per unit and period",
)
async def list_supervisions(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    area_code: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None,
    department_code: Annotated[str | None, Query(max_length=32)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Any]:
    scope_area, scope_department = _scope(principal, area_code, department_code)
    async with runtime.sessionmaker() as session:
        orders = await supervision.search(
            session,
            area_prefix=scope_area,
            department_code=scope_department,
            since=since,
            until=until,
            limit=limit,
        )
    return [SupervisionRead.model_validate(o, from_attributes=True) for o in orders]
