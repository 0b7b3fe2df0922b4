"""The case workflow. Today: taking a reported case in — route it, assign it, and
announce both — the first steps of the lifecycle in DESIGN.md §1."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.assignment import service as assignment_service
from dispatch.directory import repository as directory_repository
from dispatch.routing import service as routing_service
from dispatch.workflow import repository
from dispatch.workflow.models import Case
from gridcase_events import payloads
from gridcase_events.envelope import Envelope
from gridcase_events.kit.runtime import Runtime

SYSTEM = "system"


def _priority(reported: payloads.Priority, category_default: str | None) -> payloads.Priority:
    return "urgent" if "urgent" in (reported, category_default) else "normal"


async def take_in(
    *, session: AsyncSession, runtime: Runtime, event: Envelope, reported: payloads.CaseReported
) -> Case:
    """Routes and assigns a newly reported case; a repeat returns the stored case."""
    existing = await repository.get(session, reported.case_id)
    if existing is not None:
        return existing
    now = runtime.clock.now()
    category = (
        await directory_repository.find_category(session, reported.category_hint)
        if reported.category_hint
        else None
    )
    index = await runtime.extras["grid_index"].get(session)
    decision = await routing_service.decide(
        session=session,
        index=index,
        category=category,
        category_hint=reported.category_hint,
        location=reported.location,
        address=reported.address,
    )
    case = Case(
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
        department_code=decision.department_code,
        route_method=decision.method,
        route_reason=decision.reason,
        reported_at=reported.reported_at,
        correlation_id=event.correlation_id,
        updated_at=now,
    )
    await repository.add(session, case)
    await repository.add_timeline(
        session,
        case_id=case.id,
        at=reported.reported_at,
        action="reported",
        actor=reported.channel,
        detail={"tracking_no": case.tracking_no},
    )
    await repository.add_timeline(
        session,
        case_id=case.id,
        at=now,
        action="routed",
        actor=SYSTEM,
        detail={
            "target": decision.target,
            "method": decision.method,
            "reason": decision.reason,
            "grid_code": decision.grid_code,
            "department_code": decision.department_code,
        },
    )
    ref = {
        "case_id": case.id,
        "tracking_no": case.tracking_no,
        "category_code": case.category_code,
        "priority": case.priority,
        "channel": reported.channel,
        "external_ref": reported.external_ref,
    }
    routed = await runtime.emit(
        session,
        payloads.CaseRouted(
            **ref,
            target=decision.target,
            method=decision.method,
            grid_code=decision.grid_code,
            department_code=decision.department_code,
            reason=decision.reason,
        ),
        subject=str(case.id),
        correlation_id=event.correlation_id,
        causation_id=str(event.id),
    )

    if decision.target == "grid" and decision.grid_code:
        assignment = await assignment_service.for_grid(
            session=session, grid_code=decision.grid_code, now=now
        )
    elif decision.target == "department" and decision.department_code:
        assignment = await assignment_service.for_department(
            session=session, department_code=decision.department_code, now=now
        )
    else:
        assignment = None
    if assignment is None:
        if decision.target != "triage":
            await repository.add_timeline(
                session,
                case_id=case.id,
                at=now,
                action="queued",
                actor=SYSTEM,
                detail={"reason": "nobody on duty; waiting in the unit's queue"},
            )
        return case

    case.status = "assigned"
    case.assignee_id = assignment.staff_id
    case.assignee_post = assignment.post
    await repository.add_timeline(
        session,
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
    await runtime.emit(
        session,
        payloads.CaseAssigned(
            **ref,
            assignee_id=assignment.staff_id,
            assignee_role=assignment.role,
            post=assignment.post,
            reason=assignment.reason,
            grid_code=case.grid_code,
            department_code=case.department_code,
            summary=case.content[:200],
            assigned_at=now,
        ),
        subject=str(case.id),
        correlation_id=event.correlation_id,
        causation_id=str(routed.id),
    )
    return case
