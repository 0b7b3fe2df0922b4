"""The case lifecycle (the lifecycle in `docs/architecture.md`): which actions are legal in
which state, and who may take them. Pure logic: no I/O, so every rule is unit-tested on its own.

States: ``triage`` (the dispatchers' queue), ``routed`` (in a unit's queue, nobody on
duty; a unit is a grid, a community's station or a department), ``assigned``, ``accepted``, ``suspended``, ``resolved``, ``closed``,
``evaluated``.
"""

from __future__ import annotations

from typing import Literal, Protocol

from gridcase_events.areas import district_of, within
from gridcase_events.kit.auth import Principal, can_see
from gridcase_events.kit.errors import Conflict, Forbidden

Action = Literal[
    "accept",
    "contact",
    "return",
    "transfer",
    "resolve",
    "close",
    "reopen",
    "evaluate",
    "request_extension",
    "approve_extension",
    "reject_extension",
    "suspend",
    "resume",
]

ALLOWED_FROM: dict[str, frozenset[str]] = {
    "accept": frozenset({"assigned", "routed"}),
    "contact": frozenset({"accepted", "suspended"}),
    "return": frozenset({"assigned", "accepted"}),
    "transfer": frozenset({"triage", "routed", "assigned", "accepted"}),
    "resolve": frozenset({"accepted"}),
    "close": frozenset({"resolved"}),
    "reopen": frozenset({"resolved", "closed", "evaluated"}),
    "evaluate": frozenset({"closed"}),
    "request_extension": frozenset({"accepted", "suspended"}),
    "approve_extension": frozenset({"accepted", "suspended"}),
    "reject_extension": frozenset({"accepted", "suspended"}),
    "suspend": frozenset({"accepted"}),
    "resume": frozenset({"suspended"}),
}
# The hand-offs of dispatch/handoffs (who may: there): 派遣 from triage (a returned case
# is back in triage) or a unit's queue; 改派 within the unit; claim from the queue.
HANDOFF_FROM: dict[str, frozenset[str]] = {
    "dispatch": frozenset({"triage", "routed"}),
    "reassign": frozenset({"routed", "assigned", "accepted"}),
    "claim": frozenset({"routed"}),
}
OPEN_STATUSES = frozenset({"triage", "routed", "assigned", "accepted", "suspended"})
AREA_SUPERVISORS = frozenset({"grid_leader", "station_master", "street_officer"})
CENTRE = frozenset({"dispatcher", "district_center", "city_center"})


class CaseState(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def grid_code(self) -> str | None: ...
    @property
    def department_code(self) -> str | None: ...
    @property
    def assignee_id(self) -> str | None: ...
    @property
    def resolved_by(self) -> str | None: ...
    @property
    def extension_status(self) -> str | None: ...
    @property
    def extension_requested_by(self) -> str | None: ...


def area_of(case: CaseState) -> str | None:
    """The area a case sits in: its grid, else its community (then its station decides)."""
    return case.grid_code or getattr(case, "community_code", None)


def district_of_case(case: CaseState) -> str | None:
    """The district (tenant) a case belongs to: its area's, else the one it fell in
    when it was reported (docs/adr/0005-districts-side-by-side.md)."""
    return district_of(area_of(case)) or getattr(case, "district_code", None)


def sees(principal: Principal, case: CaseState) -> bool:
    """Whether the case lies in the principal's scope (the kit's one rule)."""
    return can_see(
        principal,
        grid_code=area_of(case),
        department_code=case.department_code,
        district_code=district_of_case(case),
    )


class Illegal(Conflict):
    """The action is not possible in the case's current state (409; the workflow service
    adds the case's status and version to the answer)."""


class Refused(Forbidden):
    """The caller may not take this action on this case (403)."""


def in_unit(principal: Principal, case: CaseState) -> bool:
    """Works in the grid, community station or department that holds the case."""
    if principal.role in ("grid_member", "grid_leader"):
        return case.grid_code is not None and principal.area_code == case.grid_code
    if principal.role == "station_master":  # a case held by the community's station
        community = getattr(case, "community_code", None)
        return case.grid_code is None and community is not None and principal.area_code == community
    if principal.role == "department_operator":
        return (
            case.department_code is not None and principal.department_code == case.department_code
        )
    return False


def supervises(principal: Principal, case: CaseState) -> bool:
    """The grid leader, station master or street officer over the case's grid, or the
    dispatchers and district centre for any case."""
    if principal.role in CENTRE:
        return sees(principal, case)
    return principal.role in AREA_SUPERVISORS and within(principal.area_code, area_of(case))


def _is_assignee(principal: Principal, case: CaseState) -> bool:
    return case.assignee_id is not None and principal.sub == case.assignee_id


def check(action: Action, *, case: CaseState, principal: Principal) -> None:
    """Raises :class:`Refused` (outside scope or role) or :class:`Illegal` (state)."""
    if not sees(principal, case):
        raise Refused("this case is outside your scope")
    _authorize(action, case=case, principal=principal)
    if case.status not in ALLOWED_FROM[action]:
        raise Illegal(f"cannot {action.replace('_', ' ')} a case that is {case.status}")
    if action == "request_extension" and case.extension_status == "pending":
        raise Illegal("an extension request is already pending")
    if action in ("approve_extension", "reject_extension") and case.extension_status != "pending":
        raise Illegal("there is no pending extension request")


def _authorize(action: Action, *, case: CaseState, principal: Principal) -> None:
    assignee = _is_assignee(principal, case)
    if action == "accept":
        allowed = assignee or (case.assignee_id is None and in_unit(principal, case))
        why = "only the assignee (or, for an unassigned case, its unit) signs for a case"
    elif action in ("contact", "return", "resolve", "request_extension", "suspend"):
        allowed = assignee
        why = f"only the assignee may {action.replace('_', ' ')} the case"
    elif action in ("transfer", "resume"):
        allowed = assignee or supervises(principal, case)
        why = f"only the assignee or a supervisor may {action} the case"
    elif action == "close":
        allowed = principal.role in CENTRE or (
            principal.role in ("grid_leader", "station_master") and in_unit(principal, case)
        )
        why = "a case is closed by its grid leader (or station master) or a dispatcher"
        if allowed and case.resolved_by == principal.sub:
            raise Refused("the person who resolved a case may not close it")
    elif action == "reopen":
        allowed = principal.role in CENTRE or (
            principal.role in ("grid_leader", "station_master") and in_unit(principal, case)
        )
        why = "a case is reopened by its grid leader (or station master) or a dispatcher"
    elif action == "evaluate":
        allowed = principal.role in CENTRE
        why = "callbacks are recorded by dispatchers and the district centre"
    else:  # approve_extension, reject_extension
        allowed = supervises(principal, case)
        why = "extensions are decided by a supervisor"
        if allowed and case.extension_requested_by == principal.sub:
            raise Refused("an extension is decided by someone other than who asked for it")
    if not allowed:
        raise Refused(why)
