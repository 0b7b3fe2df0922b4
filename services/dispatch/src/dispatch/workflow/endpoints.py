"""The worklist (the public contracts in `docs/architecture.md`) for grid members and
department operators."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.deps import DispatchRuntime, RuntimeDep
from dispatch.idempotency.deps import IdempotencyDep, once
from dispatch.workflow import repository, rules, service
from dispatch.workflow.schemas import (
    CaseDetail,
    CaseRead,
    CloseIn,
    ContactIn,
    EvaluateIn,
    ExtensionIn,
    OptionalReasonIn,
    ReasonIn,
    ReporterPhoneRead,
    ResolveIn,
    TaskStatus,
    TimelineRead,
    TransferIn,
)
from dispatch.workflow.versions import IfMatch, expected_version
from gridcase_events.kit.auth import CurrentPrincipal, Principal
from gridcase_events.kit.http import correlation_id
from gridcase_events.kit.idempotency import Key
from gridcase_events.kit.runtime import SessionDep

router = APIRouter(tags=["worklist"])


@router.get("/v1/tasks", response_model=list[CaseRead], summary="My open tasks")
async def my_tasks(
    session: SessionDep,
    principal: CurrentPrincipal,
    status: Annotated[list[TaskStatus] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[CaseRead]:
    cases = await repository.tasks_of(
        session,
        assignee_id=principal.sub,
        statuses=status or ["assigned", "accepted", "suspended"],
        limit=limit,
        offset=offset,
    )
    # Staff ids are the deployment's (docs/adr/0005-districts-side-by-side.md); the
    # scope still walls a token of another district off from them.
    return [CaseRead.model_validate(c) for c in cases if rules.sees(principal, c)]


@router.get(
    "/v1/cases/{case_id}",
    response_model=CaseDetail,
    summary="A case with its timeline",
    responses={403: {"description": "outside your grid or department"}, 404: {}},
)
async def get_case(case_id: UUID, session: SessionDep, principal: CurrentPrincipal) -> CaseDetail:
    case = await repository.get(session, case_id)
    if case is None:
        raise service.NotFound()
    if not rules.sees(principal, case):
        raise rules.Refused("this case is outside your scope")
    timeline = await repository.timeline(session, case_id)
    return CaseDetail.model_validate(
        {
            **CaseRead.model_validate(case).model_dump(),
            "timeline": [TimelineRead.model_validate(t) for t in timeline],
        }
    )


# ------------------------------------------------------------------------ actions

ACTION_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "outside your scope, or not yours to do"},
    404: {"description": "no such case"},
    409: {"description": "not possible in the case's current state (the body says which)"},
    422: {"description": "invalid request"},
}


async def _act(
    request: Request,
    session: AsyncSession,
    runtime: DispatchRuntime,
    principal: Principal,
    case_id: UUID,
    action: rules.Action,
    body: BaseModel | None,
    if_match: str | None,
    key: Key | None,
) -> CaseDetail | JSONResponse:
    """One action in the request's unit of work, once per Idempotency-Key; the service's
    refusals answer as they are (404 no such case, 403 refused, 409 with the case's
    status and version, 422)."""
    expected = expected_version(if_match)

    async def effect() -> CaseDetail:
        case = await service.act(
            session=session,
            runtime=runtime,
            principal=principal,
            case_id=case_id,
            action=action,
            request=body,
            correlation_id=correlation_id(request),
            expected_version=expected,
        )
        timeline = await repository.timeline(session, case_id)
        return _detail(case, timeline)

    return await once(
        session=session,
        key=key,
        principal=principal,
        payload={
            "body": None if body is None else body.model_dump(mode="json"),
            "if_match": expected,
        },
        effect=effect,
    )


def _detail(case: Any, timeline: Any) -> CaseDetail:
    return CaseDetail.model_validate(
        {
            **CaseRead.model_validate(case).model_dump(),
            "timeline": [TimelineRead.model_validate(t) for t in timeline],
        }
    )


@router.post(
    "/v1/cases/{case_id}/accept",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="签收: sign for a case",
)
async def accept(
    case_id: UUID,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(request, session, runtime, principal, case_id, "accept", None, if_match, key)


@router.post(
    "/v1/cases/{case_id}/contact",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="首次联系: record first contact with the resident",
)
async def contact(
    case_id: UUID,
    body: ContactIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(request, session, runtime, principal, case_id, "contact", body, if_match, key)


@router.post(
    "/v1/cases/{case_id}/reporter-phone",
    response_model=ReporterPhoneRead,
    summary="The resident's phone number, for the case's assignee to call (audited)",
    responses={
        403: {"description": "outside your scope, or not the case's assignee"},
        404: {"description": "no such case, or the resident left no phone number"},
        409: {"description": "the case is not open with its assignee"},
    },
)
async def reporter_phone(
    case_id: UUID, session: SessionDep, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ReporterPhoneRead:
    phone = await service.reveal_reporter_phone(
        session=session, runtime=runtime, principal=principal, case_id=case_id
    )
    return ReporterPhoneRead(phone=phone)


@router.post(
    "/v1/cases/{case_id}/return",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="退单: hand a case back to the dispatchers, with a reason",
)
async def return_case(
    case_id: UUID,
    body: ReasonIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(request, session, runtime, principal, case_id, "return", body, if_match, key)


@router.post(
    "/v1/cases/{case_id}/transfer",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="转派: move a case to another grid or department",
)
async def transfer(
    case_id: UUID,
    body: TransferIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(
        request, session, runtime, principal, case_id, "transfer", body, if_match, key
    )


@router.post(
    "/v1/cases/{case_id}/resolve",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="办结: resolve a case with a note and evidence",
)
async def resolve(
    case_id: UUID,
    body: ResolveIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(request, session, runtime, principal, case_id, "resolve", body, if_match, key)


@router.post(
    "/v1/cases/{case_id}/close",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="核查结案: verify and close (not by the resolver)",
)
async def close(
    case_id: UUID,
    body: CloseIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(request, session, runtime, principal, case_id, "close", body, if_match, key)


@router.post(
    "/v1/cases/{case_id}/reopen",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="Reopen a resolved or closed case",
)
async def reopen(
    case_id: UUID,
    body: ReasonIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(request, session, runtime, principal, case_id, "reopen", body, if_match, key)


@router.post(
    "/v1/cases/{case_id}/evaluate",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="回访: record the callback; a dissatisfied one reopens the case",
)
async def evaluate(
    case_id: UUID,
    body: EvaluateIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(
        request, session, runtime, principal, case_id, "evaluate", body, if_match, key
    )


@router.post(
    "/v1/cases/{case_id}/extension",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="延期: ask for more time (before the deadline)",
)
async def request_extension(
    case_id: UUID,
    body: ExtensionIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(
        request, session, runtime, principal, case_id, "request_extension", body, if_match, key
    )


@router.post(
    "/v1/cases/{case_id}/extension/approve",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="Approve a pending extension",
)
async def approve_extension(
    case_id: UUID,
    body: OptionalReasonIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(
        request, session, runtime, principal, case_id, "approve_extension", body, if_match, key
    )


@router.post(
    "/v1/cases/{case_id}/extension/reject",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="Reject a pending extension",
)
async def reject_extension(
    case_id: UUID,
    body: ReasonIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(
        request, session, runtime, principal, case_id, "reject_extension", body, if_match, key
    )


@router.post(
    "/v1/cases/{case_id}/suspend",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="缓办: suspend a case (its resolution clock pauses)",
)
async def suspend(
    case_id: UUID,
    body: ReasonIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(request, session, runtime, principal, case_id, "suspend", body, if_match, key)


@router.post(
    "/v1/cases/{case_id}/resume",
    response_model=CaseDetail,
    responses=ACTION_RESPONSES,
    summary="Resume a suspended case",
)
async def resume(
    case_id: UUID,
    body: OptionalReasonIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    key: IdempotencyDep,
    if_match: IfMatch = None,
) -> Any:
    return await _act(request, session, runtime, principal, case_id, "resume", body, if_match, key)
