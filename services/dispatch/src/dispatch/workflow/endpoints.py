"""The worklist (DESIGN.md §4) for grid members and department operators."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query

from dispatch.deps import RuntimeDep
from dispatch.workflow import repository
from dispatch.workflow.schemas import CaseDetail, CaseRead, TaskStatus, TimelineRead
from gridcase_events.kit.auth import CurrentPrincipal, can_see

router = APIRouter(tags=["worklist"])


@router.get("/v1/tasks", response_model=list[CaseRead], summary="My open tasks")
async def my_tasks(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    status: Annotated[list[TaskStatus] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[CaseRead]:
    async with runtime.sessionmaker() as session:
        cases = await repository.tasks_of(
            session,
            assignee_id=principal.sub,
            statuses=status or ["assigned", "accepted"],
            limit=limit,
            offset=offset,
        )
    return [CaseRead.model_validate(c) for c in cases]


@router.get(
    "/v1/cases/{case_id}",
    response_model=CaseDetail,
    summary="A case with its timeline",
    responses={403: {"description": "outside your grid or department"}, 404: {}},
)
async def get_case(case_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> CaseDetail:
    async with runtime.sessionmaker() as session:
        case = await repository.get(session, case_id)
        if case is None:
            raise HTTPException(status_code=404, detail="no such case")
        if not can_see(principal, grid_code=case.grid_code, department_code=case.department_code):
            raise HTTPException(status_code=403, detail="this case is outside your scope")
        timeline = await repository.timeline(session, case_id)
    return CaseDetail.model_validate(
        {
            **CaseRead.model_validate(case).model_dump(),
            "timeline": [TimelineRead.model_validate(t) for t in timeline],
        }
    )
