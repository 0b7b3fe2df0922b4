from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, HTTPException

from escalation.clocks import repository
from escalation.clocks.schemas import ClockRead
from escalation.deps import RuntimeDep
from gridcase_events.kit.auth import CurrentPrincipal, can_see

router = APIRouter(tags=["clocks"])


@router.get(
    "/v1/cases/{case_id}/clocks",
    response_model=list[ClockRead],
    summary="A case's clocks: deadline, remaining time, breached",
    responses={403: {"description": "outside your grid or department"}, 404: {}},
)
async def case_clocks(
    case_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[ClockRead]:
    async with runtime.sessionmaker() as session:
        clocks = await repository.of_case(session, case_id)
    if not clocks:
        raise HTTPException(status_code=404, detail="no clocks for this case")
    if not any(
        can_see(principal, grid_code=c.grid_code, department_code=c.department_code) for c in clocks
    ):
        raise HTTPException(status_code=403, detail="this case is outside your scope")
    now = runtime.clock.now()
    return [
        ClockRead(
            kind=c.kind,
            status=c.status,
            started_at=c.started_at,
            due_at=c.due_at,
            limit_minutes=c.limit_minutes,
            remaining_seconds=int((c.due_at - now).total_seconds()),
            breached=c.due_at <= now,
        )
        for c in clocks
    ]
