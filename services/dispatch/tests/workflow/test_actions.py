"""The case workflow through the worklist API, against the real broker and database."""

import asyncio
import json
from typing import Any

import pytest

from gridcase_events import topics
from gridcase_events.testing import bearer, eventually, read_topic

pytestmark = pytest.mark.integration

MEMBER = bearer("gm111a", "grid_member", "510302001001001")
B_POST = bearer("gm111b", "grid_member", "510302001001001")
LEADER = bearer("gl111", "grid_leader", "510302001001001")
DISPATCHER = bearer("dp1", "dispatcher", "510302")
OTHER_MEMBER = bearer("gm211a", "grid_member", "510302002001001")


async def post(
    client: Any,
    case: dict[str, Any],
    action: str,
    who: dict[str, str],
    body: Any = None,
    **headers: str,
) -> Any:
    return await client.post(
        f"/v1/cases/{case['id']}/{action}", json=body, headers={**who, **headers}
    )


async def test_a_case_goes_from_assignment_to_a_satisfied_callback(
    client: Any, new_case: Any, kafka_bootstrap: str, namespace: str
) -> None:
    case = await new_case()

    accepted = await post(client, case, "accept", MEMBER)
    contacted = await post(client, case, "contact", MEMBER, {"note": "已电话联系居民"})
    resolved = await post(
        client,
        case,
        "resolve",
        MEMBER,
        {"note": "已清运", "evidence": ["https://img.example/1.jpg"]},
    )
    closed = await post(client, case, "close", LEADER, {"note": "现场核查"})
    evaluated = await post(
        client, case, "evaluate", DISPATCHER, {"satisfaction": "satisfied", "resolved": True}
    )

    assert [r.status_code for r in (accepted, contacted, resolved, closed, evaluated)] == [200] * 5
    assert contacted.json()["contacted_at"] is not None
    final = evaluated.json()
    assert final["status"] == "evaluated"
    assert final["first_owner_code"] == "510302001001001"
    assert final["first_owner_staff"] == "gm111a"
    assert final["resolved_by"] == "gm111a"
    assert final["evidence"] == ["https://img.example/1.jpg"]
    assert final["satisfaction"] == "satisfied"
    actions = [(t["action"], t["actor"]) for t in final["timeline"]]
    assert actions[-5:] == [
        ("accept", "gm111a"),
        ("contact", "gm111a"),
        ("resolve", "gm111a"),
        ("close", "gl111"),
        ("evaluate", "dp1"),
    ]
    assert final["timeline"][-3]["detail"]["note"] == "已清运"

    async def lifecycle() -> list[dict[str, Any]] | None:
        records = await read_topic(
            kafka_bootstrap, topics.qualify(namespace, topics.DISPATCH), min_count=7
        )
        events = [json.loads(r.value) for r in records if r.key == case["id"].encode()]
        return events if len(events) == 7 else None

    events = await eventually(lifecycle)
    assert [e["type"] for e in events] == [
        "case.routed",
        "case.assigned",
        "case.accepted",
        "case.contacted",
        "case.resolved",
        "case.closed",
        "case.evaluated",
    ]
    versions = [e["data"]["case_version"] for e in events]
    assert versions == sorted(versions)
    assert len(set(versions)) == len(versions)
    assert events[2]["data"]["first_owner"] == {
        "unit": "grid",
        "code": "510302001001001",
        "staff_id": "gm111a",
    }
    assert events[6]["data"]["first_owner"]["staff_id"] == "gm111a"


async def test_an_illegal_transition_is_409_with_the_current_state(
    client: Any, new_case: Any
) -> None:
    case = await new_case()

    response = await post(client, case, "resolve", MEMBER, {"note": "done"})

    assert response.status_code == 409
    assert response.json()["status"] == "assigned"
    assert response.json()["version"] == case["version"]
    assert "assigned" in response.json()["detail"]


async def test_a_concurrent_double_accept_has_exactly_one_winner(
    client: Any, new_case: Any
) -> None:
    case = await new_case()

    responses = await asyncio.gather(*(post(client, case, "accept", MEMBER) for _ in range(5)))

    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409, 409]
    detail = (await client.get(f"/v1/cases/{case['id']}", headers=MEMBER)).json()
    assert [t["action"] for t in detail["timeline"]].count("accept") == 1


async def test_the_losers_of_a_race_are_told_the_winners_state(client: Any, new_case: Any) -> None:
    case = await new_case()

    responses = await asyncio.gather(*(post(client, case, "accept", MEMBER) for _ in range(3)))

    won = [r.json() for r in responses if r.status_code == 200]
    lost = [r.json() for r in responses if r.status_code == 409]
    assert len(won) == 1
    assert [(b["status"], b["version"], b["code"]) for b in lost] == [
        ("accepted", won[0]["version"], "conflict")
    ] * 2


async def test_an_if_match_that_is_not_a_plain_number_is_422(client: Any, new_case: Any) -> None:
    case = await new_case()

    # b"\xb2" reads as "²" (latin-1), which str.isdigit() takes for a digit.
    superscript = await client.post(
        f"/v1/cases/{case['id']}/accept", headers={**MEMBER, "If-Match": b"\xb2"}
    )
    word = await post(client, case, "accept", MEMBER, **{"If-Match": '"v1"'})

    assert (superscript.status_code, word.status_code) == (422, 422)
    assert superscript.json()["detail"] == "If-Match must be the case version"


async def test_a_stale_if_match_is_409(client: Any, new_case: Any) -> None:
    case = await new_case()

    stale = await post(client, case, "accept", MEMBER, **{"If-Match": str(case["version"] - 1)})
    fresh = await post(client, case, "accept", MEMBER, **{"If-Match": str(case["version"])})

    assert stale.status_code == 409
    assert fresh.status_code == 200


async def test_a_returned_case_goes_back_to_triage_and_out_of_the_grid(
    client: Any, new_case: Any
) -> None:
    case = await new_case()
    await post(client, case, "accept", MEMBER)

    without_reason = await post(client, case, "return", MEMBER, {"reason": ""})
    returned = await post(client, case, "return", MEMBER, {"reason": "不属于本网格"})

    assert without_reason.status_code == 422
    assert returned.status_code == 200
    assert returned.json()["status"] == "triage"
    assert returned.json()["returns"] == 1
    assert returned.json()["first_owner_staff"] == "gm111a"  # still accountable (首问负责制)
    assert (await client.get(f"/v1/cases/{case['id']}", headers=MEMBER)).status_code == 403
    assert (await client.get(f"/v1/cases/{case['id']}", headers=DISPATCHER)).status_code == 200


async def test_a_dispatcher_transfers_a_case_and_the_receiver_must_accept(
    client: Any, new_case: Any
) -> None:
    case = await new_case()

    unknown = await post(
        client,
        case,
        "transfer",
        DISPATCHER,
        {"target": "grid", "grid_code": "510302009009009", "reason": "x"},
    )
    moved = await post(
        client,
        case,
        "transfer",
        DISPATCHER,
        {"target": "grid", "grid_code": "510302002001001", "reason": "地址在滨江社区"},
    )

    assert unknown.status_code == 422
    assert moved.status_code == 200
    body = moved.json()
    assert (body["status"], body["grid_code"], body["assignee_id"]) == (
        "assigned",
        "510302002001001",
        "gm211a",
    )
    assert body["transfers"] == 1
    assert (await post(client, case, "accept", MEMBER)).status_code == 403
    assert (await post(client, case, "accept", OTHER_MEMBER)).status_code == 200


async def test_to_a_department_a_transfer_goes_to_an_operator(client: Any, new_case: Any) -> None:
    case = await new_case()

    moved = await post(
        client,
        case,
        "transfer",
        LEADER,
        {"target": "department", "department_code": "water", "reason": "管网问题"},
    )

    assert moved.status_code == 200
    assert moved.json()["assignee_id"] in {"water1", "water2"}
    assert moved.json()["grid_code"] is None


async def test_the_resolver_may_not_close_the_case(client: Any, new_case: Any) -> None:
    case = await new_case(location={"lat": 29.355, "lon": 104.7725})
    await post(client, case, "accept", MEMBER)
    await post(client, case, "resolve", MEMBER, {"note": "done"})

    by_member = await post(client, case, "close", MEMBER, {})
    by_leader = await post(client, case, "close", LEADER, {})

    assert by_member.status_code == 403
    assert by_leader.status_code == 200


async def test_a_dissatisfied_callback_reopens_and_reassigns_the_case(
    client: Any, new_case: Any
) -> None:
    case = await new_case()
    await post(client, case, "accept", MEMBER)
    await post(client, case, "resolve", MEMBER, {"note": "done"})
    await post(client, case, "close", LEADER, {})

    evaluated = await post(
        client,
        case,
        "evaluate",
        DISPATCHER,
        {"satisfaction": "dissatisfied", "resolved": False, "comment": "还是没人清"},
    )

    body = evaluated.json()
    assert evaluated.status_code == 200
    assert body["status"] == "assigned"
    assert body["assignee_id"] == "gm111a"
    assert body["reopenings"] == 1
    assert body["resolved_by"] is None
    assert [t["action"] for t in body["timeline"]][-2:] == ["evaluate", "assigned"]


async def test_an_extension_is_asked_for_and_decided_by_a_supervisor(
    client: Any, new_case: Any
) -> None:
    case = await new_case()
    await post(client, case, "accept", MEMBER)

    past = await post(
        client, case, "extension", MEMBER, {"until": "2026-11-01T00:00:00+08:00", "reason": "x"}
    )
    asked = await post(
        client,
        case,
        "extension",
        MEMBER,
        {"until": "2026-12-05T18:00:00+08:00", "reason": "需协调物业"},
    )
    again = await post(
        client, case, "extension", MEMBER, {"until": "2026-12-06T18:00:00+08:00", "reason": "x"}
    )
    by_member = await post(client, case, "extension/approve", MEMBER, {})
    approved = await post(client, case, "extension/approve", LEADER, {"reason": "同意"})

    assert past.status_code == 422
    assert asked.json()["extension_status"] == "pending"
    assert again.status_code == 409
    assert by_member.status_code == 403
    assert approved.status_code == 200
    assert approved.json()["extension_status"] == "approved"
    assert approved.json()["extension_until"].startswith("2026-12-05T10:00:00")


async def test_a_suspended_case_is_resumed(client: Any, new_case: Any) -> None:
    case = await new_case()
    await post(client, case, "accept", MEMBER)

    suspended = await post(client, case, "suspend", MEMBER, {"reason": "等待居民返回"})
    resolve_while_suspended = await post(client, case, "resolve", MEMBER, {"note": "x"})
    resumed = await post(client, case, "resume", MEMBER, {})

    assert suspended.json()["status"] == "suspended"
    assert resolve_while_suspended.status_code == 409
    assert resumed.json()["status"] == "accepted"


ACTIONS = {
    "accept": None,
    "contact": {"note": "x"},
    "return": {"reason": "x"},
    "transfer": {"target": "grid", "grid_code": "510302002001001", "reason": "x"},
    "resolve": {"note": "x"},
    "close": {},
    "reopen": {"reason": "x"},
    "evaluate": {"satisfaction": "satisfied", "resolved": True},
    "extension": {"until": "2027-01-01T00:00:00+08:00", "reason": "x"},
    "extension/approve": {},
    "extension/reject": {"reason": "x"},
    "suspend": {"reason": "x"},
    "resume": {},
}
OUTSIDERS = {
    "member of another grid": OTHER_MEMBER,
    "leader of another grid": bearer("gl211", "grid_leader", "510302002001001"),
    "station master of another community": bearer("sm12", "station_master", "510302001002"),
    "street officer of another street": bearer("so2", "street_officer", "510302002"),
    "operator of a department": bearer("water1", "department_operator", None, "water"),
    "ops (may look, not act)": bearer("ops1", "ops", "510302"),
    "admin (may look, not act)": bearer("admin1", "admin", "510302"),
}


async def test_nobody_outside_the_case_scope_may_take_any_action(
    client: Any, new_case: Any
) -> None:
    case = await new_case()

    wrong = {}
    for who, headers in OUTSIDERS.items():
        for action, body in ACTIONS.items():
            response = await post(client, case, action, headers, body)
            if response.status_code != 403:
                wrong[(who, action)] = response.status_code
        if "may look" not in who:
            viewed = await client.get(f"/v1/cases/{case['id']}", headers=headers)
            if viewed.status_code != 403:
                wrong[(who, "view")] = viewed.status_code

    assert wrong == {}
    after = (await client.get(f"/v1/cases/{case['id']}", headers=MEMBER)).json()
    assert (after["status"], after["version"]) == ("assigned", case["version"])
