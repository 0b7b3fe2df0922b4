"""Who may hand a case on, and from which state. Pure logic; the states come from
the workflow's state machine (:data:`dispatch.workflow.rules.HANDOFF_FROM`)."""

from __future__ import annotations

from typing import Literal

from dispatch.workflow import rules as workflow_rules
from gridcase_events.kit.auth import Principal
from gridcase_events.kit.errors import Conflict, Forbidden

HandOff = Literal["dispatch", "reassign", "claim"]


def _may(
    action: HandOff, *, case: workflow_rules.CaseState, principal: Principal, lead: bool
) -> str | None:
    """None when allowed, else why not."""
    if action == "dispatch":
        if principal.role in workflow_rules.CENTRE:
            return None
        return "cases are dispatched by dispatchers and the district centre"
    if action == "claim":
        if principal.role == "department_operator" and workflow_rules.in_unit(principal, case):
            return None if case.assignee_id is None else "someone already has this case"
        return "an unassigned department case is claimed by an operator of that department"
    if principal.role in workflow_rules.CENTRE:  # the centre that dispatched it (in scope)
        return None
    area = workflow_rules.area_of(case)
    if principal.role == "grid_leader" and workflow_rules.in_unit(principal, case):
        return None
    if principal.role == "station_master" and area and principal.area_code:
        return None if area.startswith(principal.area_code) else "outside your community"
    if principal.role == "department_operator" and workflow_rules.in_unit(principal, case) and lead:
        return None
    return (
        "a case is reassigned within its unit by a dispatcher, its grid leader, station master"
        " or department lead"
    )


def check(
    action: HandOff,
    *,
    case: workflow_rules.CaseState,
    principal: Principal,
    lead: bool = False,
    expected_version: int | None = None,
) -> None:
    """Raises :class:`Forbidden` (scope, role) or :class:`Conflict` (state, or a version
    other than the caller's If-Match, with the case's current status and version in the
    body). `lead`: the caller is their department's lead."""
    if not workflow_rules.sees(principal, case):
        raise Forbidden("this case is outside your scope")
    why = _may(action, case=case, principal=principal, lead=lead)
    if why is not None:
        raise Forbidden(why)
    if case.status not in workflow_rules.HANDOFF_FROM[action]:
        raise Conflict(
            f"cannot {action} a case that is {case.status}",
            extra={"status": case.status, "version": getattr(case, "version", None)},
        )
    version = getattr(case, "version", None)
    if expected_version is not None and expected_version != version:
        raise Conflict(
            f"the case changed: it is at version {version}",
            extra={"status": case.status, "version": version},
        )
