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
from intake.deps import RuntimeDep, SettingsDep
from intake.idempotency.endpoints import IdempotencyDep
from intake.patrols.endpoints import ERRORS, domain_errors
from intake.patrols.schemas import FieldReportIn
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
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    idempotency: IdempotencyDep,
) -> Any:
    async with domain_errors(), runtime.transaction() as session:
        replay = await idempotency.replay(
            session=session, scope=f"staff:{principal.sub}", payload=body
        )
        if replay is not None:
            return replay
        visit = await service.record(
            session=session, runtime=runtime, principal=principal, body=body
        )
        result = service.to_read(visit, [])
        await idempotency.remember(session=session, status_code=201, body=result)
    return result


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
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Any:
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
            visit_id=visit_id,
            body=body,
            correlation_id=correlation_id(request),
        )
        result = CaseCreated(case_id=case.id, tracking_no=case.tracking_no)
        await idempotency.remember(session=session, status_code=201, body=result)
    return result


@router.get(
    "/v1/visits",
    response_model=list[VisitRead],
    summary="One household, one file: every visit to an address in my area, with its cases",
    responses=ERRORS,
)
async def household_file(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    address: Annotated[str, Query(min_length=1, max_length=300)],
) -> list[VisitRead]:
    async with domain_errors(), runtime.sessionmaker() as session:
        return await service.household_file(session=session, principal=principal, address=address)
