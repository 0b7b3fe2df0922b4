"""首问负责制: a case nobody accepts, or that is handed on too often, is buck-passing (推诿)."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from gridcase_events import envelope, payloads
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

FIRST_OWNER = payloads.Owner(unit="grid", code="510302001001001", staff_id="gm111a")


def handed_on(build: Any, case_id: Any, at: datetime, kind: str, times: int) -> Any:
    common = {
        **build.action(case_id, at),
        "first_owner": FIRST_OWNER,
        "grid_code": None,
        "assignee_id": None,
    }
    if kind == "returned":
        return payloads.CaseReturned(
            **common, reason="不归我管", returns=times, from_grid_code="510302001001001"
        )
    return payloads.CaseTransferred(
        **common, reason="转他处", transfers=times, from_grid_code="510302001001001"
    )


async def test_handed_on_more_than_twice_is_buck_passing_at_once(
    client: Any,
    dispatch: Any,
    build: Any,
    clock: Any,
    directory_staff: Any,
    escalated: Any,
) -> None:
    await directory_staff(
        ("gl111", "grid_leader", "510302001001001"), ("dc1", "district_center", "510302")
    )
    case_id = envelope.new_id()
    now = clock.now()
    await dispatch(build.assigned(case_id))
    await dispatch(handed_on(build, case_id, now, "returned", 1))
    await dispatch(handed_on(build, case_id, now, "transferred", 1))
    await dispatch(handed_on(build, case_id, now, "transferred", 2))

    [first] = await escalated(case_id, 1)
    clock.advance(timedelta(hours=4, minutes=1))
    second = (await escalated(case_id, 2))[1]

    assert first["buck_passing"] is True
    assert (first["clock"], first["level"], first["target_staff_ids"]) == (
        "ownership",
        1,
        ["gl111"],
    )
    assert "3 hand-off(s)" in first["reason"]
    assert "first owner gm111a stays accountable" in first["reason"]
    assert (second["level"], second["target_staff_ids"]) == (2, ["dc1"])
    assert "assign it by order (指定)" in second["reason"]


async def test_a_case_nobody_accepts_for_a_day_is_buck_passing(
    client: Any,
    dispatch: Any,
    build: Any,
    clock: Any,
    directory_staff: Any,
    escalated: Any,
    clocks_of: Any,
) -> None:
    await directory_staff(
        ("gl111", "grid_leader", "510302001001001"), ("dc1", "district_center", "510302")
    )
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    await dispatch(handed_on(build, case_id, clock.now(), "returned", 1))
    await clocks_of(case_id, lambda c: any(x["kind"] == "ownership" for x in c))

    clock.advance(timedelta(hours=23))
    overdue_early = await client.get(
        "/v1/overdue",
        params={"clock": "ownership"},
        headers=bearer("dc1", "district_center", "510302"),
    )
    clock.advance(timedelta(hours=1, minutes=1))
    [first] = await escalated(case_id, 1)
    overdue_late = await client.get(
        "/v1/overdue",
        params={"clock": "ownership"},
        headers=bearer("dc1", "district_center", "510302"),
    )

    assert overdue_early.json() == []
    assert (first["buck_passing"], first["target_staff_ids"]) == (True, ["gl111"])
    assert [c["case_id"] for c in overdue_late.json()] == [str(case_id)]


async def test_a_new_owner_accepting_ends_the_first_owners_watch(
    client: Any, dispatch: Any, build: Any, clock: Any, clocks_of: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    await dispatch(handed_on(build, case_id, clock.now(), "transferred", 1))
    await dispatch(payloads.CaseAccepted(**build.action(case_id, clock.now() + timedelta(hours=1))))

    clocks = await clocks_of(
        case_id, lambda c: any(x["kind"] == "ownership" and x["status"] == "stopped" for x in c)
    )

    assert clocks[("ownership", 1)]["stop_reason"] == "accepted"


async def test_when_the_first_owner_is_the_grid_leader_the_station_master_hears_of_it(
    client: Any,
    dispatch: Any,
    build: Any,
    clock: Any,
    directory_staff: Any,
    escalated: Any,
) -> None:
    await directory_staff(
        ("gl111", "grid_leader", "510302001001001"), ("dc1", "district_center", "510302")
    )
    await directory_staff(("sm11", "station_master", "510302001001"))
    case_id = envelope.new_id()
    leader_owned = payloads.Owner(unit="grid", code="510302001001001", staff_id="gl111")
    common = {
        **build.action(case_id, clock.now()),
        "first_owner": leader_owned,
        "grid_code": None,
        "assignee_id": None,
    }
    await dispatch(build.assigned(case_id))
    for times in (1, 2, 3):
        await dispatch(
            payloads.CaseTransferred(
                **common, reason="x", transfers=times, from_grid_code="510302001001001"
            )
        )

    [first] = await escalated(case_id, 1)

    assert first["target_staff_ids"] == ["sm11"]
