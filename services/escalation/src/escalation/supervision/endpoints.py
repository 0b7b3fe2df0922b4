"""Supervision orders (督办): issued by hand by supervisors, listed per unit and period."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from escalation import scope
from escalation.deps import RuntimeDep
from escalation.supervision import service
from escalation.supervision.schemas import AnswerIn, SupervisionIn, SupervisionRead
from gridcase_events.kit.auth import CurrentPrincipal, Principal, require_roles
from gridcase_events.kit.http import bind_case, correlation_id
from gridcase_events.kit.runtime import SessionDep
from gridcase_events.kit.text import Storable

router = APIRouter(tags=["clocks"])

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
    body: SupervisionIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Supervisor,
) -> SupervisionRead:
    bind_case(body.case_id)
    order = await service.issue_by_hand(
        session=session,
        runtime=runtime,
        principal=principal,
        case_id=body.case_id,
        reason=body.reason,
        correlation_id=correlation_id(request),
    )
    return SupervisionRead.model_validate(order, from_attributes=True)


@router.post(
    "/v1/supervisions/{order_id}/answer",
    response_model=SupervisionRead,
    summary="Answer a supervision order (督办回复): the unit it is addressed to, once",
    responses={
        403: {"description": "not the unit the order is addressed to"},
        404: {"description": "no such order in your scope"},
        409: {"description": "answered already"},
    },
)
async def answer_supervision(
    order_id: UUID,
    body: AnswerIn,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> SupervisionRead:
    order = await service.answer(
        session=session,
        principal=principal,
        order_id=order_id,
        text=body.text,
        at=runtime.clock.now(),
    )
    bind_case(order.case_id)
    return SupervisionRead.model_validate(order, from_attributes=True)


@router.get(
    "/v1/supervisions",
    response_model=list[SupervisionRead],
    summary="Supervision orders per unit and period, or of one case",
)
async def list_supervisions(
    session: SessionDep,
    principal: CurrentPrincipal,
    area_code: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None,
    department_code: Annotated[str | None, Query(max_length=32), Storable] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    case_id: Annotated[UUID | None, Query(description="only this case's orders")] = None,
) -> list[SupervisionRead]:
    narrowed = scope.narrow(principal, area_code, department_code)
    orders = await service.search(
        session,
        area_prefix=narrowed.area_prefix,
        department_code=narrowed.department_code,
        district=narrowed.district,
        since=since,
        until=until,
        limit=limit,
        case_id=case_id,
    )
    return [SupervisionRead.model_validate(o, from_attributes=True) for o in orders]
