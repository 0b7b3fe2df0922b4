from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query

from escalation import scope
from escalation.clocks import repository
from escalation.clocks.models import CaseClock
from escalation.clocks.schemas import (
    ClockKind,
    ClockRead,
)
from escalation.deps import RuntimeDep
from gridcase_events.kit.auth import (
    CurrentPrincipal,
    Principal,
    can_see,
    require_roles,
)

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
    scope_area, scope_department = scope.narrow(principal, area_code, department_code)
    now = runtime.clock.now()
    async with runtime.sessionmaker() as session:
        clocks = await repository.overdue(
            session, now=now, area_prefix=scope_area, department_code=scope_department, limit=limit
        )
    return [_read(c, now) for c in clocks if clock is None or c.kind == clock]
