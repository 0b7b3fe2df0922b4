"""The case workflow (the lifecycle in `docs/architecture.md`): taking a reported case in
(route, assign), and the actions people take on it — accept, return, transfer, resolve,
close, reopen, evaluate, extensions, suspension. Every action is checked by
:mod:`.rules`, recorded on the timeline (who, when, what, why) and announced as an event
carrying the case's version."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from dispatch.assignment import service as assignment_service
from dispatch.deps import DispatchRuntime
from dispatch.directory import repository as directory_repository
from dispatch.directory.cache import CategoryRef
from dispatch.directory.models import Category
from dispatch.routing import service as routing_service
from dispatch.workflow import repository, rules, schemas
from dispatch.workflow.models import Case
from gridcase_events import payloads
from gridcase_events.envelope import Envelope
from gridcase_events.kit import db, errors
from gridcase_events.kit.auth import Principal, can_see

SYSTEM = "system"


def _priority(reported: payloads.Priority, category_default: str | None) -> payloads.Priority:
    return "urgent" if "urgent" in (reported, category_default) else "normal"


async def take_in(
    *,
    session: AsyncSession,
    runtime: DispatchRuntime,
    event: Envelope,
    reported: payloads.CaseReported,
) -> None:
    """Routes and assigns a newly reported case; a repeat (a case stored already) changes
    nothing.

    Everything is decided before anything is written: the category, the route and the
    person (from the directory cache, ``DispatchState.directory``); then the case in its
    final state, its timeline entries and its events (`case.routed` at version 1, then
    `case.assigned` at version 2) are held by the transaction and written at its commit
    with every other case of the consumer run, in one statement
    (``repository.take_in_at_commit``; nothing of a case stored already: a repeat). The
    same events, versions and timeline as routing, storing and then assigning did."""
    now = runtime.clock.now()
    directory = runtime.state.directory
    category = (
        await directory.category(session, reported.category_hint)
        if reported.category_hint
        else None
    )
    index = await runtime.state.routing_index.get(session)
    decision = routing_service.decide(
        index=index,
        category=category,
        category_hint=reported.category_hint,
        location=reported.location,
        address=reported.address,
    )
    case = _new_case(reported, event, category, decision, now)
    case.district_code = routing_service.district_for(
        index=index,
        decision=decision,
        location=reported.location,
        address=reported.address,
        reported_in=event.tenant,
    )
    routed = runtime.event(
        payloads.CaseRouted(
            **case_ref(case),
            target=decision.target,
            method=decision.method,
            grid_code=decision.grid_code,
            community_code=decision.community_code,
            department_code=decision.department_code,
            reason=decision.reason,
        ),
        subject=str(case.id),
        tenant=rules.district_of_case(case),
        correlation_id=event.correlation_id,
        causation_id=str(event.id),
    )
    assignment = await assignment_for(session, case, now, staff=directory)
    events = [routed]
    if assignment is not None:
        _assigned(case, assignment, now)
        events.append(_assigned_event(runtime, case, assignment, now, routed))
    rows, counted = _take_in_record(case, reported, decision, assignment, now)
    repository.take_in_at_commit(session, case, rows, events, counted)


def _assigned(case: Case, assignment: assignment_service.Assignment, now: datetime) -> None:
    """The case as its assignment leaves it: one version on from routing's."""
    case.status = "assigned"
    case.assignee_id = assignment.staff_id
    case.assignee_post = assignment.post
    case.updated_at = now
    case.version += 1


def _assigned_event(
    runtime: DispatchRuntime,
    case: Case,
    assignment: assignment_service.Assignment,
    now: datetime,
    routed: Envelope,
) -> Envelope:
    return runtime.event(
        _assigned_payload(case, assignment, now),
        subject=str(case.id),
        tenant=rules.district_of_case(case),
        correlation_id=routed.correlation_id,
        causation_id=str(routed.id),
    )


def _assigned_payload(
    case: Case, assignment: assignment_service.Assignment, now: datetime
) -> payloads.CaseAssigned:
    return payloads.CaseAssigned(
        **case_ref(case),
        assignee_id=assignment.staff_id,
        assignee_role=assignment.role,
        post=assignment.post,
        reason=assignment.reason,
        grid_code=case.grid_code,
        community_code=case.community_code,
        department_code=case.department_code,
        summary=case.content[:200],
        assigned_at=now,
    )


def _take_in_record(
    case: Case,
    reported: payloads.CaseReported,
    decision: routing_service.RouteDecision,
    assignment: assignment_service.Assignment | None,
    now: datetime,
) -> tuple[list[dict[str, Any]], list[Callable[[], None]]]:
    """The timeline of a case taken in (reported, routed; assigned or queued), and the
    metrics of its route and assignment, counted once it is stored."""
    counted: list[Callable[[], None]] = [
        lambda: routing_service.ROUTING_OUTCOMES.labels(decision.target, decision.method).inc()
    ]
    rows = _routing_rows(case, reported, decision, now)
    if assignment is not None:
        counted.append(lambda: assignment_service.ASSIGNMENTS.labels(assignment.post).inc())
        rows.append(_assigned_row(case, assignment, now))
    elif case.target != "triage":
        counted.append(lambda: assignment_service.ASSIGNMENTS.labels("none").inc())
        rows.append(_queued_row(case, now))
    return rows, counted


def _new_case(
    reported: payloads.CaseReported,
    event: Envelope,
    category: Category | CategoryRef | None,
    decision: routing_service.RouteDecision,
    now: datetime,
) -> Case:
    """The case as routing placed it (triage when it could not be placed), version 1."""
    return Case(
        id=reported.case_id,
        tracking_no=reported.tracking_no,
        channel=reported.channel,
        external_ref=reported.external_ref,
        status="routed" if decision.target != "triage" else "triage",
        category_code=category.code if category else None,
        priority=_priority(reported.priority, category.priority if category else None),
        content=reported.content,
        address=reported.address,
        lat=reported.location.lat if reported.location else None,
        lon=reported.location.lon if reported.location else None,
        target=decision.target,
        grid_code=decision.grid_code,
        community_code=decision.community_code,
        department_code=decision.department_code,
        route_method=decision.method,
        route_reason=decision.reason,
        reported_at=reported.reported_at,
        reporter_phone_masked=reported.reporter.phone_masked if reported.reporter else None,
        reporter_phone_enc=reported.reporter.phone_encrypted if reported.reporter else None,
        correlation_id=event.correlation_id,
        assignee_id=None,
        assignee_post=None,
        updated_at=now,
        version=1,
    )


def _routing_rows(
    case: Case,
    reported: payloads.CaseReported,
    decision: routing_service.RouteDecision,
    now: datetime,
) -> list[dict[str, Any]]:
    """The timeline's first two entries: reported (by its channel), routed (and why)."""
    return [
        repository.timeline_row(
            case_id=case.id,
            at=reported.reported_at,
            action="reported",
            actor=reported.channel,
            detail={"tracking_no": case.tracking_no},
        ),
        repository.timeline_row(
            case_id=case.id,
            at=now,
            action="routed",
            actor=SYSTEM,
            detail={
                "target": decision.target,
                "method": decision.method,
                "reason": decision.reason,
                "reason_code": decision.reason_code,
                "reason_params": decision.reason_params,
                "grid_code": decision.grid_code,
                "community_code": decision.community_code,
                "department_code": decision.department_code,
            },
        ),
    ]


def case_ref(case: Case) -> dict[str, Any]:
    """What every case event carries about the case (its version orders events)."""
    first_owner = (
        payloads.Owner(
            unit=case.first_owner_unit,
            code=case.first_owner_code or "",
            staff_id=case.first_owner_staff or "",
        )
        if case.first_owner_unit
        else None
    )
    return {
        "case_id": case.id,
        "tracking_no": case.tracking_no,
        "category_code": case.category_code,
        "priority": case.priority,
        "channel": case.channel,
        "external_ref": case.external_ref,
        "case_version": case.version,
        "first_owner": first_owner,
    }


async def assign(
    *,
    session: AsyncSession,
    runtime: DispatchRuntime,
    case: Case,
    correlation_id: str,
    causation_id: str,
    chosen: assignment_service.Assignment | None = None,
) -> None:
    """Gives the case to a person of its unit (A post, B post, leader; or the least loaded
    operator), or leaves it in the unit's queue when nobody is on duty. `chosen`: a
    person already chosen (a dispatcher's named assignee, a reassignment, a claim)."""
    now = runtime.clock.now()
    assignment = chosen if chosen is not None else await assignment_for(session, case, now)
    if assignment is None:
        await _queue(session, case, now)
        return

    db.on_commit(session, lambda: assignment_service.ASSIGNMENTS.labels(assignment.post).inc())
    case.status = "assigned"
    case.assignee_id = assignment.staff_id
    case.assignee_post = assignment.post
    case.updated_at = now
    await repository.add_timeline(session, **_assigned_row(case, assignment, now))
    await session.flush()
    await runtime.emit(
        session,
        _assigned_payload(case, assignment, now),
        subject=str(case.id),
        tenant=rules.district_of_case(case),
        correlation_id=correlation_id,
        causation_id=causation_id,
    )


def _assigned_row(
    case: Case, assignment: assignment_service.Assignment, now: datetime
) -> dict[str, Any]:
    return repository.timeline_row(
        case_id=case.id,
        at=now,
        action="assigned",
        actor=SYSTEM,
        detail={
            "assignee_id": assignment.staff_id,
            "post": assignment.post,
            "reason": assignment.reason,
        },
    )


def _queued_row(case: Case, now: datetime) -> dict[str, Any]:
    return repository.timeline_row(
        case_id=case.id,
        at=now,
        action="queued",
        actor=SYSTEM,
        detail={"reason": "nobody on duty; waiting in the unit's queue"},
    )


async def assignment_for(
    session: AsyncSession,
    case: Case,
    now: datetime,
    *,
    staff: assignment_service.StaffSource = assignment_service.LIVE,
) -> assignment_service.Assignment | None:
    """Who of the case's unit takes it now; None when nobody is on duty (or in triage).
    `staff`: where the unit's people are read (the database; taking a case in reads the
    directory cache)."""
    if case.target == "grid" and case.grid_code:
        return await assignment_service.for_grid(
            session=session, grid_code=case.grid_code, now=now, staff=staff
        )
    if case.target == "community" and case.community_code:
        return await assignment_service.for_community(
            session=session, community_code=case.community_code, now=now, staff=staff
        )
    if case.target == "department" and case.department_code:
        return await assignment_service.for_department(
            session=session,
            department_code=case.department_code,
            now=now,
            open_cases=repository.open_cases_by_assignee,
            staff=staff,
        )
    return None


async def _queue(session: AsyncSession, case: Case, now: datetime) -> None:
    """Nobody takes the case: it waits in its unit's queue (or stays in triage)."""
    case.assignee_id = None
    case.assignee_post = None
    if case.target != "triage":
        db.on_commit(session, lambda: assignment_service.ASSIGNMENTS.labels("none").inc())
        case.status = "routed"
        await repository.add_timeline(session, **_queued_row(case, now))
    await session.flush()


# --------------------------------------------------------------------- people's actions


class NotFound(errors.NotFound):
    """No such case (404)."""

    def __init__(self, detail: str = "no such case") -> None:
        super().__init__(detail)


class BadRequest(errors.Invalid):
    """The request names something that does not exist or cannot be (422)."""


def _current(status: str | None, version: int | None) -> dict[str, Any]:
    """What a 409 carries: the case's state now, so the caller can reload and decide."""
    return {"status": status, "version": version}


def _action_ref(case: Case, principal: Principal, now: datetime) -> dict[str, Any]:
    return {
        **case_ref(case),
        "actor_id": principal.sub,
        "actor_role": principal.role,
        "at": now,
        "grid_code": case.grid_code,
        "community_code": case.community_code,
        "department_code": case.department_code,
        "assignee_id": case.assignee_id,
    }


async def act(
    *,
    session: AsyncSession,
    runtime: DispatchRuntime,
    principal: Principal,
    case_id: UUID,
    action: rules.Action,
    request: BaseModel | None,
    correlation_id: str,
    expected_version: int | None = None,
) -> Case:
    """Takes one action on a case, in the caller's transaction.

    Raises :class:`NotFound`, :class:`rules.Refused` (403), :class:`rules.Illegal` (409,
    also when `expected_version` is stale or a concurrent action won) or
    :class:`BadRequest` (422).
    """
    # Locked as it is read: a concurrent action on the case waits for this one, then
    # sees its outcome (and answers 409 with the state it left).
    case = await repository.get(session, case_id, for_update=True)
    if case is None:
        raise NotFound()
    _check(action, case, principal, expected_version)
    now = runtime.clock.now()
    handler = _ACTIONS[action]
    events = await handler(session, runtime, case, principal, request, now)
    case.updated_at = now
    detail = request.model_dump(mode="json", exclude_none=True) if request is not None else {}
    await repository.add_timeline(
        session, case_id=case.id, at=now, action=action, actor=principal.sub, detail=detail
    )
    try:
        await session.flush()
    except StaleDataError:  # the version column's last word; the lock above comes first
        raise rules.Illegal("another action on this case won the race; reload it") from None
    causation: str | None = None
    for event in events:
        emitted = await runtime.emit(
            session,
            event(_action_ref(case, principal, now)),
            subject=str(case.id),
            tenant=rules.district_of_case(case),
            correlation_id=correlation_id,
            causation_id=causation,
        )
        causation = str(emitted.id)
    if action == "transfer" or (action in ("reopen", "evaluate") and case.status == "reopened"):
        await assign(
            session=session,
            runtime=runtime,
            case=case,
            correlation_id=correlation_id,
            causation_id=causation or "",
        )
    return case


CALLABLE_STATUSES = frozenset({"assigned", "accepted"})


async def reveal_reporter_phone(
    *, session: AsyncSession, runtime: DispatchRuntime, principal: Principal, case_id: UUID
) -> str:
    """The resident's phone number, for the case's assignee to call (首次联系 by phone);
    each reveal is a timeline entry (``phone_revealed``: who, when). Everyone else sees the
    masked number only.

    Raises :class:`NotFound` (also when the resident left no number), :class:`rules.Refused`
    (403: outside the caller's scope, or not the assignee) or :class:`rules.Illegal` (409:
    the case is not open with its assignee)."""
    case = await repository.get(session, case_id)
    if case is None:
        raise NotFound()
    if not can_see(principal, grid_code=rules.area_of(case), department_code=case.department_code):
        raise rules.Refused("this case is outside your scope")
    if case.assignee_id != principal.sub:
        raise rules.Refused("only the case's assignee may call the resident")
    if case.status not in CALLABLE_STATUSES:
        raise rules.Illegal(
            f"the case is {case.status}: the resident is called while it is open",
            extra=_current(case.status, case.version),
        )
    if not case.reporter_phone_enc:
        raise NotFound("the resident left no phone number")
    phone = runtime.pii.decrypt(case.reporter_phone_enc)
    await repository.add_timeline(
        session,
        case_id=case.id,
        at=runtime.clock.now(),
        action="phone_revealed",
        actor=principal.sub,
        detail={},
    )
    return phone


def _check(
    action: rules.Action, case: Case, principal: Principal, expected_version: int | None
) -> None:
    """The lifecycle rules, then the caller's If-Match; a 409 carries the case's state."""
    try:
        rules.check(action, case=case, principal=principal)
    except rules.Illegal as exc:
        raise rules.Illegal(exc.detail, extra=_current(case.status, case.version)) from None
    if expected_version is not None and expected_version != case.version:
        raise rules.Illegal(
            f"the case changed: it is at version {case.version}",
            extra=_current(case.status, case.version),
        )


EventFactory = Callable[[dict[str, Any]], BaseModel]
Handler = Callable[
    [AsyncSession, DispatchRuntime, Case, Principal, Any, datetime],
    Awaitable[list[EventFactory]],
]


async def _accept(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    case.status = "accepted"
    case.accepted_at = now
    if case.assignee_id is None:  # signed for from the unit's queue
        case.assignee_id = p.sub
        case.assignee_post = None
    if case.first_owner_unit is None:
        case.first_owner_unit = case.target  # grid, community (its station) or department
        case.first_owner_code = rules.area_of(case) or case.department_code
        case.first_owner_staff = p.sub
    return [lambda ref: payloads.CaseAccepted(**ref)]


async def _contact(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    request: schemas.ContactIn = r
    if case.contacted_at is None:
        case.contacted_at = now
    return [lambda ref: payloads.CaseContacted(**ref, note=request.note)]


def _leave_unit(case: Case) -> tuple[str | None, str | None]:
    """Takes the case out of its unit and away from its assignee; returns where it was
    (its area — grid, else community station — and its department)."""
    was = (rules.area_of(case), case.department_code)
    case.grid_code = case.community_code = case.department_code = None
    case.assignee_id = case.assignee_post = None
    case.accepted_at = None
    return was


async def _return(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    request: schemas.ReasonIn = r
    from_grid, from_department = _leave_unit(case)
    case.returns += 1
    case.status = "triage"
    case.target = "triage"
    returns = case.returns
    return [
        lambda ref: payloads.CaseReturned(
            **ref,
            reason=request.reason,
            returns=returns,
            from_grid_code=from_grid,
            from_department_code=from_department,
        )
    ]


async def _transfer(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    request: schemas.TransferIn = r
    if request.target == "grid":
        area = await directory_repository.get_area(s, request.grid_code or "")
        if area is None or area.level != "grid":
            raise BadRequest(f"unknown grid {request.grid_code}")
    elif await directory_repository.get_department(s, request.department_code or "") is None:
        raise BadRequest(f"unknown department {request.department_code}")
    if (request.grid_code, request.department_code) == (case.grid_code, case.department_code):
        raise BadRequest("the case is already there")
    from_grid, from_department = _leave_unit(case)
    case.transfers += 1
    case.target = request.target
    case.grid_code, case.department_code = request.grid_code, request.department_code
    case.route_method = "transfer"
    case.route_reason = f"transferred by {p.sub}: {request.reason}"
    case.status = "routed"
    transfers = case.transfers
    return [
        lambda ref: payloads.CaseTransferred(
            **ref,
            reason=request.reason,
            transfers=transfers,
            from_grid_code=from_grid,
            from_department_code=from_department,
        )
    ]


async def _resolve(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    request: schemas.ResolveIn = r
    kinds: dict[str, str] = {str(photo.url): photo.kind for photo in request.photos}
    evidence = list(dict.fromkeys([*(str(url) for url in request.evidence), *kinds]))
    case.status = "resolved"
    case.resolved_at = now
    case.resolved_by = p.sub
    case.resolution_note = request.note
    case.evidence = evidence
    case.evidence_kinds = kinds
    return [lambda ref: payloads.CaseResolved(**ref, note=request.note, evidence=evidence)]


async def _close(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    request: schemas.CloseIn = r
    case.status = "closed"
    case.closed_at = now
    return [lambda ref: payloads.CaseClosed(**ref, note=request.note)]


def _reopen_in_place(case: Case) -> int:
    case.reopenings += 1
    case.status = "reopened"
    case.resolved_at = case.closed_at = None
    case.resolved_by = case.resolution_note = None
    case.evidence = []
    case.evidence_kinds = {}
    case.accepted_at = None
    return case.reopenings


async def _reopen(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    request: schemas.ReasonIn = r
    reopenings = _reopen_in_place(case)
    return [lambda ref: payloads.CaseReopened(**ref, reason=request.reason, reopenings=reopenings)]


async def _evaluate(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    request: schemas.EvaluateIn = r
    case.satisfaction = request.satisfaction
    case.resident_says_resolved = request.resolved
    case.status = "evaluated"
    events: list[EventFactory] = [
        lambda ref: payloads.CaseEvaluated(
            **ref,
            satisfaction=request.satisfaction,
            resolved=request.resolved,
            comment=request.comment,
        )
    ]
    if request.satisfaction == "dissatisfied" or not request.resolved:
        why = (
            "the resident is dissatisfied"
            if request.satisfaction == "dissatisfied"
            else "the resident says it is not resolved"
        )
        reopenings = _reopen_in_place(case)
        events.append(
            lambda ref: payloads.CaseReopened(
                **ref, reason=f"callback: {why}", reopenings=reopenings
            )
        )
    return events


async def _request_extension(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    request: schemas.ExtensionIn = r
    if request.until <= now:
        raise BadRequest("an extension must end in the future")
    case.extension_status = "pending"
    case.extension_until = request.until
    case.extension_requested_by = p.sub
    return [
        lambda ref: payloads.CaseExtensionRequested(
            **ref, until=request.until, reason=request.reason
        )
    ]


async def _approve_extension(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    request: schemas.OptionalReasonIn = r
    case.extension_status = "approved"
    until = case.extension_until
    assert until is not None
    return [lambda ref: payloads.CaseExtensionApproved(**ref, until=until, reason=request.reason)]


async def _reject_extension(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    request: schemas.ReasonIn = r
    case.extension_status = "rejected"
    return [lambda ref: payloads.CaseExtensionRejected(**ref, reason=request.reason)]


async def _suspend(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    request: schemas.ReasonIn = r
    case.status = "suspended"
    return [lambda ref: payloads.CaseSuspended(**ref, reason=request.reason)]


async def _resume(
    s: AsyncSession, rt: DispatchRuntime, case: Case, p: Principal, r: Any, now: datetime
) -> list[EventFactory]:
    request: schemas.OptionalReasonIn = r
    case.status = "accepted"
    return [lambda ref: payloads.CaseResumed(**ref, reason=request.reason)]


_ACTIONS: dict[str, Handler] = {
    "accept": _accept,
    "contact": _contact,
    "return": _return,
    "transfer": _transfer,
    "resolve": _resolve,
    "close": _close,
    "reopen": _reopen,
    "evaluate": _evaluate,
    "request_extension": _request_extension,
    "approve_extension": _approve_extension,
    "reject_extension": _reject_extension,
    "suspend": _suspend,
    "resume": _resume,
}
