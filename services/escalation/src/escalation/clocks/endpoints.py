"""A case's clocks, and the clocks past their deadline in the caller's scope."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from escalation import scope
from escalation.clocks import service
from escalation.clocks.schemas import ClockKind, ClockRead
from escalation.deps import RuntimeDep
from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.runtime import SessionDep
from gridcase_events.kit.text import Storable

router = APIRouter(tags=["clocks"])


@router.get(
    "/v1/cases/{case_id}/clocks",
    response_model=list[ClockRead],
    summary="A case's clocks: deadline, remaining time, paused, breached",
    responses={403: {"description": "outside your grid or department"}, 404: {}},
)
async def case_clocks(
    case_id: UUID, session: SessionDep, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[ClockRead]:
    return await service.visible_clocks(
        session, principal=principal, case_id=case_id, now=runtime.clock.now()
    )


@router.get(
    "/v1/overdue",
    response_model=list[ClockRead],
    summary="Running clocks past their deadline, in your scope",
)
async def overdue(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    area_code: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None,
    department_code: Annotated[str | None, Query(max_length=32), Storable] = None,
    clock: Annotated[
        ClockKind | None, Query(description="ownership: buck-passing (推诿) cases")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[ClockRead]:
    narrowed = scope.narrow(principal, area_code, department_code)
    return await service.overdue(
        session,
        now=runtime.clock.now(),
        area_prefix=narrowed.area_prefix,
        department_code=narrowed.department_code,
        district=narrowed.district,
        kind=clock,
        limit=limit,
    )
