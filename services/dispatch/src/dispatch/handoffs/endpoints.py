"""POST /v1/cases/{id}/dispatch|reassign|claim and their bulk forms (207)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.deps import DispatchRuntime
from dispatch.handoffs import service
from dispatch.handoffs.schemas import (
    BulkDispatchIn,
    BulkOut,
    BulkReassignIn,
    BulkResult,
    ClaimIn,
    DispatchIn,
    ReassignIn,
)
from dispatch.idempotency.deps import IdempotencyDep, once
from dispatch.workflow import repository as workflow_repository
from dispatch.workflow.models import Case
from dispatch.workflow.schemas import CaseDetail, CaseRead, TimelineRead
from dispatch.workflow.versions import IfMatch, expected_version
from gridcase_events.kit.auth import CurrentPrincipal, Principal
from gridcase_events.kit.errors import DomainError
from gridcase_events.kit.http import correlation_id
from gridcase_events.kit.idempotency import Key
from gridcase_events.kit.runtime import RuntimeDep, SessionDep

router = APIRouter(tags=["hand-offs"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "outside your scope, or not yours to do"},
    404: {"description": "no such case"},
    409: {"description": "not possible in the case's current state (the body says which)"},
    422: {"description": "invalid request: unknown unit, a person not on duty there"},
}
BULK_RESPONSES: dict[int | str, dict[str, Any]] = {
    207: {"model": BulkOut, "description": "one result per case, in the order given"},
    422: {"description": "invalid request (more than 100 cases, no destination …)"},
}


async def _detail(session: AsyncSession, case: Case) -> CaseDetail:
    timeline = await workflow_repository.timeline(session, case.id)
    return CaseDetail.model_validate(
        {
            **CaseRead.model_validate(case).model_dump(),
            "timeline": [TimelineRead.model_validate(t) for t in timeline],
        }
    )


HandOff = Callable[..., Awaitable[Case]]
"""A hand-off of :mod:`dispatch.handoffs.service` (dispatch, reassign, claim): keyword
arguments session, runtime, principal, case_id, request, correlation_id."""


async def _one(
    session: AsyncSession,
    action: HandOff,
    *,
    runtime: DispatchRuntime,
    principal: Principal,
    case_id: UUID,
    body: BaseModel,
    request: Request,
    key: Key | None,
    if_match: str | None = None,
) -> CaseDetail | JSONResponse:
    """One case in the request's unit of work, once per Idempotency-Key (a click sent
    twice acts once); with If-Match, only while the case is at that version (409 with
    its state otherwise); a refusal is the kit's error answer."""
    expected = expected_version(if_match)

    async def effect() -> CaseDetail:
        case = await action(
            session=session,
            runtime=runtime,
            principal=principal,
            case_id=case_id,
            request=body,
            correlation_id=correlation_id(request),
            expected_version=expected,
        )
        return await _detail(session, case)

    return await once(
        session=session,
        key=key,
        principal=principal,
        payload={"body": body.model_dump(mode="json"), "if_match": expected},
        effect=effect,
    )


async def _bulk(
    action: HandOff,
    *,
    runtime: DispatchRuntime,
    principal: Principal,
    case_ids: list[UUID],
    body: BaseModel,
    request: Request,
) -> JSONResponse:
    """Each case in its own transaction (one refused case must not undo the others),
    so this opens the units of work itself instead of taking the request's one. A
    refusal is the same answer the case would have had alone (:meth:`BulkResult.refused`)."""
    results: list[BulkResult] = []
    for case_id in dict.fromkeys(case_ids):
        try:
            async with runtime.transaction() as session:
                case = await action(
                    session=session,
                    runtime=runtime,
                    principal=principal,
                    case_id=case_id,
                    request=body,
                    correlation_id=correlation_id(request),
                )
            results.append(BulkResult.done(case))
        except DomainError as exc:
            results.append(BulkResult.refused(case_id, exc))
    return JSONResponse(status_code=207, content=BulkOut(results=results).model_dump(mode="json"))


@router.post(
    "/v1/cases/bulk/dispatch",
    status_code=207,
    response_model=BulkOut,
    responses=BULK_RESPONSES,
    summary="派遣 up to 100 cases to one unit; a result per case",
)
async def bulk_dispatch(
    body: BulkDispatchIn, request: Request, runtime: RuntimeDep, principal: CurrentPrincipal
) -> JSONResponse:
    return await _bulk(
        service.dispatch,
        runtime=runtime,
        principal=principal,
        case_ids=body.case_ids,
        body=DispatchIn.model_validate(body.model_dump(exclude={"case_ids"})),
        request=request,
    )


@router.post(
    "/v1/cases/bulk/reassign",
    status_code=207,
    response_model=BulkOut,
    responses=BULK_RESPONSES,
    summary="改派 up to 100 cases to one person of their unit; a result per case",
)
async def bulk_reassign(
    body: BulkReassignIn, request: Request, runtime: RuntimeDep, principal: CurrentPrincipal
) -> JSONResponse:
    return await _bulk(
        service.reassign,
        runtime=runtime,
        principal=principal,
        case_ids=body.case_ids,
        body=ReassignIn.model_validate(body.model_dump(exclude={"case_ids"})),
        request=request,
    )


@router.post(
    "/v1/cases/{case_id}/dispatch",
    response_model=CaseDetail,
    responses=RESPONSES,
    summary="派遣: send a triage, returned or unassigned case to a grid, community or department",
)
async def dispatch_case(
    case_id: UUID,
    body: DispatchIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _one(
        session,
        service.dispatch,
        runtime=runtime,
        principal=principal,
        case_id=case_id,
        body=body,
        request=request,
        key=key,
        if_match=if_match,
    )


@router.post(
    "/v1/cases/{case_id}/reassign",
    response_model=CaseDetail,
    responses=RESPONSES,
    summary="改派: give a case to another person of its unit",
)
async def reassign_case(
    case_id: UUID,
    body: ReassignIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _one(
        session,
        service.reassign,
        runtime=runtime,
        principal=principal,
        case_id=case_id,
        body=body,
        request=request,
        key=key,
        if_match=if_match,
    )


@router.post(
    "/v1/cases/{case_id}/claim",
    response_model=CaseDetail,
    responses=RESPONSES,
    summary="Claim an unassigned case of your department",
)
async def claim_case(
    case_id: UUID,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    body: ClaimIn | None = None,
    if_match: IfMatch = None,
) -> Any:
    return await _one(
        session,
        service.claim,
        runtime=runtime,
        principal=principal,
        case_id=case_id,
        body=body or ClaimIn(),
        request=request,
        key=key,
        if_match=if_match,
    )
