"""The case lifecycle rules: which action is legal in which state, and who may take it."""

from dataclasses import dataclass, replace
from typing import get_args

import pytest

from dispatch.workflow.rules import (
    ALLOWED_FROM,
    Action,
    Illegal,
    Refused,
    check,
    in_unit,
    supervises,
)
from gridcase_events.kit.auth import Principal, can_see

DISTRICT = "510302"
STREET = "510302001"
COMMUNITY = "510302001001"
GRID = "510302001001001"
OTHER_GRID = "510302001001002"
OTHER_COMMUNITY = "510302001002"

STATES = (
    "triage",
    "routed",
    "assigned",
    "accepted",
    "suspended",
    "resolved",
    "closed",
    "evaluated",
)
# The lifecycle of docs/architecture.md, spelled out here so a change to the table in
# rules.py has to be deliberate.
LIFECYCLE: dict[str, frozenset[str]] = {
    "accept": frozenset({"routed", "assigned"}),
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
ACTIONS: tuple[Action, ...] = get_args(Action)
# One legal and one illegal state per action, for tests about who rather than when.
LEGAL_STATE: dict[str, str] = {
    "accept": "assigned",
    "contact": "accepted",
    "return": "assigned",
    "transfer": "assigned",
    "resolve": "accepted",
    "close": "resolved",
    "reopen": "closed",
    "evaluate": "closed",
    "request_extension": "accepted",
    "approve_extension": "accepted",
    "reject_extension": "accepted",
    "suspend": "accepted",
    "resume": "suspended",
}
ILLEGAL_STATE: dict[str, str] = dict.fromkeys(ACTIONS, "evaluated") | {"reopen": "triage"}


@dataclass(frozen=True)
class Case:
    status: str = "accepted"
    grid_code: str | None = GRID
    department_code: str | None = None
    assignee_id: str | None = "gm111a"
    resolved_by: str | None = None
    extension_status: str | None = None
    extension_requested_by: str | None = None
    community_code: str | None = None
    district_code: str | None = DISTRICT  # the district it fell in


ASSIGNEE = Principal(sub="gm111a", role="grid_member", area_code=GRID)
COLLEAGUE = Principal(sub="gm111b", role="grid_member", area_code=GRID)
LEADER = Principal(sub="gl111", role="grid_leader", area_code=GRID)
STATION_MASTER = Principal(sub="sm11", role="station_master", area_code=COMMUNITY)
STREET_OFFICER = Principal(sub="so1", role="street_officer", area_code=STREET)
DISPATCHER = Principal(sub="dp1", role="dispatcher", area_code=DISTRICT)
DISTRICT_CENTRE = Principal(sub="dc1", role="district_center", area_code=DISTRICT)
OTHER_GRID_MEMBER = Principal(sub="gm112a", role="grid_member", area_code=OTHER_GRID)
OTHER_STATION_MASTER = Principal(sub="sm12", role="station_master", area_code=OTHER_COMMUNITY)
OTHER_DISTRICT_DISPATCHER = Principal(sub="dp9", role="dispatcher", area_code="510303")
WATER_OPERATOR = Principal(sub="water1", role="department_operator", department_code="water")
WATER_COLLEAGUE = Principal(sub="water2", role="department_operator", department_code="water")
URBAN_OPERATOR = Principal(sub="urban1", role="department_operator", department_code="urban")
OPS = Principal(sub="ops1", role="ops")
ADMIN = Principal(sub="admin1", role="admin")

SUPERVISORS = [LEADER, STATION_MASTER, STREET_OFFICER, DISPATCHER, DISTRICT_CENTRE]
WATER_CASE = Case(grid_code=None, department_code="water", assignee_id="water1")


def legal_case(action: str, base: Case = Case()) -> Case:
    """A case in which ``action`` is legal; extensions pending, asked for by the assignee."""
    case = replace(base, status=LEGAL_STATE[action])
    if action in ("approve_extension", "reject_extension"):
        case = replace(case, extension_status="pending", extension_requested_by=case.assignee_id)
    return case


def authorised(action: str) -> tuple[Principal, Case]:
    """Someone who may take ``action``, and a case they may take it on (status to be set)."""
    if action in ("accept", "contact", "return", "resolve", "request_extension", "suspend"):
        return ASSIGNEE, Case()
    if action in ("close", "reopen", "evaluate", "transfer", "resume"):
        return DISPATCHER, Case()
    return LEADER, Case(extension_status="pending", extension_requested_by=ASSIGNEE.sub)


def pid(principal: Principal) -> str:
    return principal.sub


# 1. State legality ---------------------------------------------------------------------


def test_allowed_from_is_the_lifecycle_of_design_section_1() -> None:
    assert ALLOWED_FROM == LIFECYCLE


def test_every_action_has_a_row_in_allowed_from() -> None:
    assert set(ACTIONS) == set(ALLOWED_FROM)


@pytest.mark.parametrize(
    ("action", "state"),
    [(a, s) for a in ACTIONS for s in STATES if s in LIFECYCLE[a]],
)
def test_an_authorised_action_in_an_allowed_state_passes(action: Action, state: str) -> None:
    principal, case = authorised(action)

    check(action, case=replace(case, status=state), principal=principal)


@pytest.mark.parametrize(
    ("action", "state"),
    [(a, s) for a in ACTIONS for s in STATES if s not in LIFECYCLE[a]],
)
def test_an_authorised_action_in_another_state_is_illegal_and_names_the_state(
    action: Action, state: str
) -> None:
    principal, case = authorised(action)

    with pytest.raises(Illegal) as raised:
        check(action, case=replace(case, status=state), principal=principal)

    assert state in str(raised.value)


# 2. Who may act ------------------------------------------------------------------------


def test_the_assignee_may_accept() -> None:
    check("accept", case=legal_case("accept"), principal=ASSIGNEE)


def test_another_member_of_the_grid_may_not_accept_a_case_assigned_to_someone_else() -> None:
    with pytest.raises(Refused):
        check("accept", case=legal_case("accept"), principal=COLLEAGUE)


@pytest.mark.parametrize("principal", [COLLEAGUE, LEADER], ids=pid)
def test_a_member_of_the_grid_may_accept_an_unassigned_case(principal: Principal) -> None:
    case = Case(status="routed", assignee_id=None)

    check("accept", case=case, principal=principal)


def test_an_operator_of_the_department_may_accept_its_unassigned_case() -> None:
    case = replace(WATER_CASE, status="routed", assignee_id=None)

    check("accept", case=case, principal=WATER_COLLEAGUE)


@pytest.mark.parametrize("action", ["return", "resolve", "suspend", "request_extension"])
def test_the_assignee_may_take_the_assignees_actions(action: Action) -> None:
    check(action, case=legal_case(action), principal=ASSIGNEE)


@pytest.mark.parametrize("principal", [LEADER, COLLEAGUE, DISPATCHER], ids=pid)
@pytest.mark.parametrize("action", ["return", "resolve", "suspend", "request_extension"])
def test_only_the_assignee_may_take_the_assignees_actions(
    action: Action, principal: Principal
) -> None:
    with pytest.raises(Refused, match="only the assignee"):
        check(action, case=legal_case(action), principal=principal)


@pytest.mark.parametrize("principal", [ASSIGNEE, *SUPERVISORS], ids=pid)
@pytest.mark.parametrize("action", ["transfer", "resume"])
def test_the_assignee_or_a_supervisor_may_transfer_or_resume(
    action: Action, principal: Principal
) -> None:
    check(action, case=legal_case(action), principal=principal)


@pytest.mark.parametrize("action", ["transfer", "resume"])
def test_another_member_of_the_grid_may_not_transfer_or_resume(action: Action) -> None:
    with pytest.raises(Refused, match="only the assignee or a supervisor"):
        check(action, case=legal_case(action), principal=COLLEAGUE)


@pytest.mark.parametrize("action", ["transfer", "resume"])
def test_a_member_of_another_grid_may_not_transfer_or_resume(action: Action) -> None:
    with pytest.raises(Refused, match="outside your scope"):
        check(action, case=legal_case(action), principal=OTHER_GRID_MEMBER)


@pytest.mark.parametrize("principal", [LEADER, DISPATCHER, DISTRICT_CENTRE], ids=pid)
def test_the_grid_leader_or_the_centre_may_close(principal: Principal) -> None:
    case = replace(legal_case("close"), resolved_by=ASSIGNEE.sub)

    check("close", case=case, principal=principal)


@pytest.mark.parametrize("principal", [STATION_MASTER, STREET_OFFICER, ASSIGNEE], ids=pid)
def test_nobody_else_may_close(principal: Principal) -> None:
    case = replace(legal_case("close"), resolved_by=COLLEAGUE.sub)

    with pytest.raises(Refused, match="closed by its grid leader"):
        check("close", case=case, principal=principal)


@pytest.mark.parametrize("principal", [LEADER, DISPATCHER], ids=pid)
def test_whoever_resolved_a_case_may_not_close_it(principal: Principal) -> None:
    case = replace(legal_case("close"), resolved_by=principal.sub)

    with pytest.raises(Refused, match="resolved a case may not close it"):
        check("close", case=case, principal=principal)


@pytest.mark.parametrize("principal", [LEADER, DISPATCHER, DISTRICT_CENTRE], ids=pid)
def test_the_grid_leader_or_the_centre_may_reopen(principal: Principal) -> None:
    check("reopen", case=legal_case("reopen"), principal=principal)


@pytest.mark.parametrize("principal", [ASSIGNEE, STATION_MASTER], ids=pid)
def test_nobody_else_may_reopen(principal: Principal) -> None:
    with pytest.raises(Refused, match="reopened by its grid leader"):
        check("reopen", case=legal_case("reopen"), principal=principal)


@pytest.mark.parametrize("principal", [DISPATCHER, DISTRICT_CENTRE], ids=pid)
def test_the_centre_may_evaluate(principal: Principal) -> None:
    check("evaluate", case=legal_case("evaluate"), principal=principal)


@pytest.mark.parametrize("principal", [LEADER, ASSIGNEE], ids=pid)
def test_nobody_outside_the_centre_may_evaluate(principal: Principal) -> None:
    with pytest.raises(Refused, match="callbacks are recorded"):
        check("evaluate", case=legal_case("evaluate"), principal=principal)


@pytest.mark.parametrize("principal", SUPERVISORS, ids=pid)
@pytest.mark.parametrize("action", ["approve_extension", "reject_extension"])
def test_a_supervisor_may_decide_an_extension(action: Action, principal: Principal) -> None:
    check(action, case=legal_case(action), principal=principal)


@pytest.mark.parametrize("principal", [ASSIGNEE, COLLEAGUE], ids=pid)
@pytest.mark.parametrize("action", ["approve_extension", "reject_extension"])
def test_a_non_supervisor_may_not_decide_an_extension(action: Action, principal: Principal) -> None:
    with pytest.raises(Refused, match="decided by a supervisor"):
        check(action, case=legal_case(action), principal=principal)


@pytest.mark.parametrize("principal", [LEADER, DISPATCHER], ids=pid)
@pytest.mark.parametrize("action", ["approve_extension", "reject_extension"])
def test_a_supervisor_may_not_decide_an_extension_they_asked_for(
    action: Action, principal: Principal
) -> None:
    case = replace(legal_case(action), extension_requested_by=principal.sub)

    with pytest.raises(Refused, match="someone other than who asked for it"):
        check(action, case=case, principal=principal)


@pytest.mark.parametrize("extension_status", [None, "approved", "rejected"])
@pytest.mark.parametrize("action", ["approve_extension", "reject_extension"])
def test_deciding_an_extension_that_is_not_pending_is_illegal(
    action: Action, extension_status: str | None
) -> None:
    case = replace(legal_case(action), extension_status=extension_status)

    with pytest.raises(Illegal, match="no pending extension"):
        check(action, case=case, principal=LEADER)


# 3. Scope comes first -----------------------------------------------------------------

OUTSIDERS = [
    (OTHER_GRID_MEMBER, Case()),
    (OTHER_STATION_MASTER, Case()),
    (OTHER_DISTRICT_DISPATCHER, Case()),
    (URBAN_OPERATOR, WATER_CASE),
]


@pytest.mark.parametrize(("principal", "base"), OUTSIDERS, ids=[p.sub for p, _ in OUTSIDERS])
@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_outside_ones_scope_is_refused_even_in_an_illegal_state(
    action: Action, principal: Principal, base: Case
) -> None:
    case = replace(base, status=ILLEGAL_STATE[action])

    with pytest.raises(Refused, match="outside your scope"):
        check(action, case=case, principal=principal)


@pytest.mark.parametrize(("principal", "base"), OUTSIDERS, ids=[p.sub for p, _ in OUTSIDERS])
def test_an_outsider_neither_works_in_nor_supervises_the_case(
    principal: Principal, base: Case
) -> None:
    assert (in_unit(principal, base), supervises(principal, base)) == (False, False)


# 4. ops and admin ----------------------------------------------------------------------


@pytest.mark.parametrize("case", [Case(), WATER_CASE], ids=["grid", "department"])
@pytest.mark.parametrize("principal", [OPS, ADMIN], ids=pid)
def test_ops_and_admin_see_every_case(principal: Principal, case: Case) -> None:
    assert can_see(principal, grid_code=case.grid_code, department_code=case.department_code)


@pytest.mark.parametrize("principal", [OPS, ADMIN], ids=pid)
@pytest.mark.parametrize("action", ACTIONS)
def test_ops_and_admin_may_take_no_action(action: Action, principal: Principal) -> None:
    with pytest.raises(Refused) as raised:
        check(action, case=legal_case(action), principal=principal)

    assert "outside your scope" not in str(raised.value)


# 5. Extensions -------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["accepted", "suspended"])
def test_requesting_an_extension_while_one_is_pending_is_illegal(state: str) -> None:
    case = Case(status=state, extension_status="pending", extension_requested_by=ASSIGNEE.sub)

    with pytest.raises(Illegal, match="already pending"):
        check("request_extension", case=case, principal=ASSIGNEE)


@pytest.mark.parametrize("extension_status", ["approved", "rejected"])
def test_a_new_extension_may_be_requested_after_the_last_was_decided(
    extension_status: str,
) -> None:
    case = Case(extension_status=extension_status, extension_requested_by=ASSIGNEE.sub)

    check("request_extension", case=case, principal=ASSIGNEE)


# 6. Department cases -------------------------------------------------------------------


@pytest.mark.parametrize("action", ["accept", "resolve"])
def test_the_operator_assignee_may_work_a_department_case(action: Action) -> None:
    check(action, case=legal_case(action, WATER_CASE), principal=WATER_OPERATOR)


@pytest.mark.parametrize("principal", [URBAN_OPERATOR, LEADER], ids=pid)
@pytest.mark.parametrize("action", ["accept", "resolve", "transfer", "close"])
def test_a_department_case_is_outside_other_units_scope(
    action: Action, principal: Principal
) -> None:
    with pytest.raises(Refused, match="outside your scope"):
        check(action, case=legal_case(action, WATER_CASE), principal=principal)


@pytest.mark.parametrize("action", ["transfer", "close"])
def test_a_dispatcher_may_transfer_and_close_a_department_case(action: Action) -> None:
    case = replace(legal_case(action, WATER_CASE), resolved_by=WATER_OPERATOR.sub)

    check(action, case=case, principal=DISPATCHER)


# ------------------------------------------------------- a case held by a community's station

STATION_CASE = Case(
    status="assigned", grid_code=None, community_code="510302001001", assignee_id="sm11"
)
STATION_MASTER = Principal(sub="sm11", role="station_master", area_code="510302001001")


def test_the_station_master_signs_for_and_transfers_a_case_held_by_the_station() -> None:
    check("accept", case=STATION_CASE, principal=STATION_MASTER)
    check("transfer", case=STATION_CASE, principal=STATION_MASTER)


def test_grid_staff_of_the_community_do_not_see_a_case_held_by_its_station() -> None:
    with pytest.raises(Refused, match="outside your scope"):
        check("accept", case=STATION_CASE, principal=LEADER)


def test_the_station_master_closes_a_station_case_resolved_by_someone_else() -> None:
    resolved = Case(
        status="resolved",
        grid_code=None,
        community_code="510302001001",
        assignee_id="sm11",
        resolved_by="dp1",
    )
    check("close", case=resolved, principal=STATION_MASTER)


def test_another_communitys_station_master_may_not_act() -> None:
    other = Principal(sub="sm12", role="station_master", area_code="510302001002")
    with pytest.raises(Refused, match="outside your scope"):
        check("transfer", case=STATION_CASE, principal=other)


def test_only_the_assignee_records_first_contact() -> None:
    check("contact", case=Case(status="accepted"), principal=ASSIGNEE)
    with pytest.raises(Refused, match="only the assignee"):
        check("contact", case=Case(status="accepted"), principal=LEADER)


# ------------------------------------------------------------- two districts side by side


def test_a_department_case_of_another_district_is_outside_the_operators_scope() -> None:
    elsewhere = replace(WATER_CASE, district_code="510422")
    operator_here = Principal(
        sub="w1", role="department_operator", area_code=DISTRICT, department_code="water"
    )

    with pytest.raises(Refused, match="outside your scope"):
        check("accept", case=legal_case("accept", elsewhere), principal=operator_here)


def test_a_dispatcher_cannot_act_on_another_districts_unplaced_case() -> None:
    elsewhere = Case(status="triage", grid_code=None, assignee_id=None, district_code="510422")

    with pytest.raises(Refused, match="outside your scope"):
        check("transfer", case=elsewhere, principal=DISPATCHER)


def test_the_city_centre_may_act_on_any_districts_case() -> None:
    elsewhere = Case(status="triage", grid_code=None, assignee_id=None, district_code="510422")

    check("transfer", case=elsewhere, principal=Principal(sub="cc1", role="city_center"))
