"""Hand-offs (DESIGN: the operators' case API): 派遣 dispatch a case to a unit (and the
normal A/B/leader assignment, or a named person on duty there), 改派 reassign within
the unit, claim from a department's queue. Each is recorded on the timeline with its
reason and announced (``case.dispatched``; the person as ``case.assigned``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from dispatch.assignment.service import Assignment
from dispatch.deps import DispatchRuntime
from dispatch.directory import repository as directory_repository
from dispatch.handoffs import rules
from dispatch.handoffs.schemas import ClaimIn, DispatchIn, ReassignIn
from dispatch.workflow import repository as workflow_repository
from dispatch.workflow import rules as workflow_rules
from dispatch.workflow import service as workflow_service
from dispatch.workflow.models import Case
from gridcase_events import payloads
from gridcase_events.areas import AreaCode
from gridcase_events.kit.auth import Principal, can_see
from gridcase_events.kit.errors import Conflict, Forbidden, Invalid, NotFound

Unit = tuple[str, str]  # (target, code): ("grid", "510302001001001"), ("department", "water")


async def _case(session: AsyncSession, case_id: UUID) -> Case:
    case = await workflow_repository.get(session, case_id)
    if case is None:
        raise NotFound("no such case")
    return case


def _unit_of(case: Case) -> Unit | None:
    if case.target == "grid" and case.grid_code:
        return "grid", case.grid_code
    if case.target == "community" and case.community_code:
        return "community", case.community_code
    if case.target == "department" and case.department_code:
        return "department", case.department_code
    return None


async def _member(session: AsyncSession, unit: Unit, staff_id: str, now: datetime) -> Assignment:
    """The person as an assignment in `unit`; :class:`Invalid` when they do not work
    there, hold no post that takes cases, or are absent now."""
    target, code = unit
    staff = (
        await directory_repository.staff_of_department(session, code)
        if target == "department"
        else await directory_repository.staff_of_area(session, code)
    )
    person = next((s for s in staff if s.staff_id == staff_id), None)
    assignment: Assignment | None = None
    if person is not None:
        why = f"named by the dispatcher in {target} {code}"
        if target == "grid" and person.role == "grid_member" and person.post in ("A", "B"):
            assignment = Assignment(
                staff_id, "grid_member", "A" if person.post == "A" else "B", why
            )
        elif target == "grid" and person.role == "grid_leader":
            assignment = Assignment(staff_id, "grid_leader", "leader", why)
        elif target == "community" and person.role == "station_master":
            assignment = Assignment(staff_id, "station_master", "station", why)
        elif target == "department" and person.role == "department_operator":
            assignment = Assignment(staff_id, "department_operator", "operator", why)
    if assignment is None:
        raise Invalid(f"{staff_id} takes no cases in {target} {code}")
    if await directory_repository.absent_now(session, [staff_id], now):
        raise Invalid(f"{staff_id} is not on duty now")
    return assignment


async def _check_destination(
    session: AsyncSession, principal: Principal, request: DispatchIn
) -> None:
    if request.target == "department":
        if await directory_repository.get_department(session, request.code) is None:
            raise Invalid(f"unknown department {request.code}")
        return
    area = await directory_repository.get_area(session, request.code)
    if area is None or area.level != request.target:
        raise Invalid(f"unknown {request.target} {request.code}")
    if not can_see(principal, grid_code=request.code, department_code=None):
        raise Forbidden(f"{request.target} {request.code} is outside your scope")


def _conflict(case: Case, detail: str) -> Conflict:
    """409 with the case's state now, as every refusal by state answers
    (:func:`dispatch.handoffs.rules.check`, the workflow's actions)."""
    return Conflict(detail, extra={"status": case.status, "version": case.version})


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except StaleDataError:
        raise Conflict("another action on this case won the race; reload it") from None


async def dispatch(
    *,
    session: AsyncSession,
    runtime: DispatchRuntime,
    principal: Principal,
    case_id: UUID,
    request: DispatchIn,
    correlation_id: str,
    expected_version: int | None = None,
) -> Case:
    """派遣. Out of one unit into another it is a hand-off, counted with the transfers
    (首问负责制: a case handed on too often is buck-passing); out of triage it is the
    case's placement (a return was counted when it happened)."""
    case = await _case(session, case_id)
    rules.check("dispatch", case=case, principal=principal, expected_version=expected_version)
    await _check_destination(session, principal, request)
    now = runtime.clock.now()
    unit: Unit = (request.target, request.code)
    chosen = await _member(session, unit, request.assignee_id, now) if request.assignee_id else None
    from_status, left, previous = case.status, _unit_of(case), case.assignee_id
    _place(case, request, principal, now)
    if left is not None and left != _unit_of(case):
        case.transfers += 1
    await workflow_repository.add_timeline(
        session,
        case_id=case.id,
        at=now,
        action="dispatched",
        actor=principal.sub,
        detail=request.model_dump(exclude_none=True),
    )
    await _flush(session)
    assignment = chosen or await workflow_service.assignment_for(session, case, now)
    await _announce(
        session,
        runtime,
        case,
        principal,
        assignment,
        kind="dispatch",
        reason=request.reason,
        from_status=from_status,
        previous=previous,
        left=left,
        named=request.assignee_id,
        correlation_id=correlation_id,
    )
    return case


async def _announce(
    session: AsyncSession,
    runtime: DispatchRuntime,
    case: Case,
    principal: Principal,
    assignment: Assignment | None,
    *,
    kind: Literal["dispatch", "reassign", "claim"],
    reason: str,
    from_status: str,
    previous: str | None,
    left: Unit | None,
    named: str | None,
    correlation_id: str,
) -> None:
    """``case.dispatched`` naming who takes the case (escalation starts the unit's clocks
    from it), then the assignment itself (``case.assigned``), or the unit's queue."""
    target = case.target
    if target not in ("grid", "community", "department"):  # placed by _place or a unit's
        raise _conflict(case, "the case is in no unit")
    dispatched = await runtime.emit(
        session,
        payloads.CaseDispatched(
            **workflow_service.case_ref(case),
            kind=kind,
            actor_id=principal.sub,
            actor_role=principal.role,
            at=runtime.clock.now(),
            grid_code=case.grid_code,
            community_code=case.community_code,
            department_code=case.department_code,
            assignee_id=assignment.staff_id if assignment else None,
            target=target,
            reason=reason,
            from_status=from_status,
            named_assignee_id=named,
            previous_assignee_id=previous,
            from_grid_code=left[1] if left and left[0] != "department" else None,
            from_department_code=left[1] if left and left[0] == "department" else None,
            transfers=case.transfers,
        ),
        subject=str(case.id),
        tenant=workflow_rules.district_of_case(case),
        correlation_id=correlation_id,
    )
    await workflow_service.assign(
        session=session,
        runtime=runtime,
        case=case,
        correlation_id=correlation_id,
        causation_id=str(dispatched.id),
        chosen=assignment,
    )


def _place(case: Case, request: DispatchIn, principal: Principal, now: datetime) -> None:
    """Puts the case in the dispatcher's unit, nobody's yet (assignment follows)."""
    case.target = request.target
    case.grid_code = request.grid_code
    case.community_code = request.community_code or (
        AreaCode(request.grid_code).community if request.grid_code else None
    )
    case.department_code = request.department_code
    case.assignee_id = case.assignee_post = None
    case.route_method = "dispatch"
    case.route_reason = f"dispatched by {principal.sub}: {request.reason}"
    case.status = "routed"
    case.updated_at = now


async def _is_lead(session: AsyncSession, principal: Principal) -> bool:
    """A department's lead: its operator whose post in the directory is ``A``."""
    if principal.role != "department_operator" or not principal.department_code:
        return False
    operators = await directory_repository.staff_of_department(session, principal.department_code)
    return any(s.staff_id == principal.sub and s.post == "A" for s in operators)


async def reassign(
    *,
    session: AsyncSession,
    runtime: DispatchRuntime,
    principal: Principal,
    case_id: UUID,
    request: ReassignIn,
    correlation_id: str,
    expected_version: int | None = None,
) -> Case:
    case = await _case(session, case_id)
    rules.check(
        "reassign",
        case=case,
        principal=principal,
        lead=await _is_lead(session, principal),
        expected_version=expected_version,
    )
    unit = _unit_of(case)
    if unit is None:
        raise _conflict(case, "the case is in no unit; dispatch it")
    if request.assignee_id == case.assignee_id:
        raise Invalid(f"{request.assignee_id} already has this case")
    now = runtime.clock.now()
    chosen = await _member(session, unit, request.assignee_id, now)
    await _hand_to(
        session,
        runtime,
        case,
        principal,
        chosen,
        action="reassign",
        reason=request.reason,
        correlation_id=correlation_id,
    )
    return case


async def claim(
    *,
    session: AsyncSession,
    runtime: DispatchRuntime,
    principal: Principal,
    case_id: UUID,
    request: ClaimIn,
    correlation_id: str,
    expected_version: int | None = None,
) -> Case:
    case = await _case(session, case_id)
    rules.check("claim", case=case, principal=principal, expected_version=expected_version)
    if case.target != "department":
        raise _conflict(case, "only a department case is claimed")
    chosen = Assignment(
        principal.sub, "department_operator", "operator", f"claimed by {principal.sub}"
    )
    await _hand_to(
        session,
        runtime,
        case,
        principal,
        chosen,
        action="claim",
        reason=request.reason or "claimed from the department's queue",
        correlation_id=correlation_id,
    )
    return case


async def _hand_to(
    session: AsyncSession,
    runtime: DispatchRuntime,
    case: Case,
    principal: Principal,
    chosen: Assignment,
    *,
    action: Literal["reassign", "claim"],
    reason: str,
    correlation_id: str,
) -> None:
    """改派 or claim: another person of the same unit (not a hand-off to another unit,
    so the transfers stay as they are); the new person signs for it anew."""
    now = runtime.clock.now()
    previous, from_status = case.assignee_id, case.status
    case.accepted_at = None
    case.updated_at = now
    await workflow_repository.add_timeline(
        session,
        case_id=case.id,
        at=now,
        action={"reassign": "reassigned", "claim": "claimed"}[action],
        actor=principal.sub,
        detail={"assignee_id": chosen.staff_id, "previous": previous, "reason": reason},
    )
    await _flush(session)
    await _announce(
        session,
        runtime,
        case,
        principal,
        Assignment(chosen.staff_id, chosen.role, chosen.post, f"{chosen.reason}: {reason}"),
        kind=action,
        reason=reason,
        from_status=from_status,
        previous=previous,
        left=None,
        named=chosen.staff_id,
        correlation_id=correlation_id,
    )
