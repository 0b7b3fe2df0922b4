"""Household visits and the cases raised on them."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.bodylimit import require_json
from gridcase_events.kit.http import correlation_id
from intake import district
from intake.cases.schemas import CaseCreated
from intake.deps import RuntimeDep, SessionDep
from intake.idempotency.deps import IdempotencyDep, respond
from intake.patrols.schemas import ERRORS, FieldReportIn
from intake.visits import service
from intake.visits.schemas import VisitCreate, VisitRead

router = APIRouter(tags=["household visits"], dependencies=[Depends(require_json)])


@router.post(
    "/v1/visits",
    status_code=201,
    response_model=VisitRead,
    summary="Record a household visit in my grid (grid members and leaders)",
    responses=ERRORS,
)
async def record_visit(
    body: VisitCreate,
    request: Request,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    session: SessionDep,
    key: IdempotencyDep,
) -> Any:
    return respond(
        await service.record_visit(
            session=session,
            runtime=runtime,
            principal=principal,
            body=body,
            key=key,
            correlation_id=correlation_id(request),
        )
    )


@router.post(
    "/v1/visits/{visit_id}/reports",
    status_code=201,
    response_model=CaseCreated,
    summary="Report a problem found on my household visit (a case, channel visit)",
    responses=ERRORS,
)
async def report_on_visit(
    visit_id: UUID,
    body: FieldReportIn,
    request: Request,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    session: SessionDep,
    key: IdempotencyDep,
) -> Any:
    district.check_point(body.point, await district.current(session, runtime), ("body", "point"))
    return respond(
        await service.report_case(
            session=session,
            runtime=runtime,
            principal=principal,
            visit_id=visit_id,
            body=body,
            key=key,
            correlation_id=correlation_id(request),
        )
    )


@router.get(
    "/v1/visits",
    response_model=list[VisitRead],
    summary="One household, one file: every visit to an address in my area, with its cases",
    responses=ERRORS,
)
async def household_file(
    principal: CurrentPrincipal,
    session: SessionDep,
    address: Annotated[str, Query(min_length=1, max_length=300)],
) -> list[VisitRead]:
    return await service.household_file(session=session, principal=principal, address=address)
