"""派遣, 改派 and claim over the real broker and database, and their bulk form."""

import json
from typing import Any
from uuid import uuid4

import pytest

from gridcase_events import topics
from gridcase_events.testing import bearer, eventually, read_topic

pytestmark = pytest.mark.integration

GUIHUA_1 = "510302001001001"
DISPATCHER = bearer("dp1", "dispatcher", "510302")
GL111 = bearer("gl111", "grid_leader", GUIHUA_1)
GM111A = bearer("gm111a", "grid_member", GUIHUA_1)


@pytest.fixture
def triage_case(demo_city: Any, report: Any, settled: Any) -> Any:
    """A case nobody can place (no location, no address): it waits in triage."""

    async def make() -> dict[str, Any]:
        case: dict[str, Any] = await settled(await report(location=None, address=None))
        assert case["status"] == "triage"
        return case

    return make


async def test_a_triage_case_dispatched_to_a_grid_goes_to_its_a_post(
    client: Any, triage_case: Any, kafka_bootstrap: str, namespace: str
) -> None:
    case = await triage_case()

    response = await client.post(
        f"/v1/cases/{case['id']}/dispatch",
        json={"grid_code": GUIHUA_1, "reason": "居民电话补充了地址"},
        headers=DISPATCHER,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["assignee_id"], body["assignee_post"]) == (
        "assigned",
        "gm111a",
        "A",
    )
    dispatched = next(t for t in body["timeline"] if t["action"] == "dispatched")
    assert (dispatched["actor"], dispatched["detail"]["reason"]) == ("dp1", "居民电话补充了地址")
    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.DISPATCH), min_count=4
    )
    types = [json.loads(r.value)["type"] for r in records if r.key.decode() == case["id"]]
    assert types[-2:] == ["case.dispatched", "case.assigned"]


async def test_a_named_assignee_must_be_on_duty_in_that_unit(client: Any, triage_case: Any) -> None:
    case = await triage_case()
    url = f"/v1/cases/{case['id']}/dispatch"

    absent = await client.post(
        url,
        json={"grid_code": "510302001001002", "assignee_id": "gm112a", "reason": "r"},
        headers=DISPATCHER,
    )
    elsewhere = await client.post(
        url,
        json={"grid_code": GUIHUA_1, "assignee_id": "gm112b", "reason": "r"},
        headers=DISPATCHER,
    )
    named = await client.post(
        url,
        json={"grid_code": GUIHUA_1, "assignee_id": "gm111b", "reason": "r"},
        headers=DISPATCHER,
    )

    assert absent.status_code == 422 and "not on duty" in absent.json()["detail"]
    assert elsewhere.status_code == 422
    assert (named.json()["assignee_id"], named.json()["assignee_post"]) == ("gm111b", "B")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"grid_code": "510302009009009", "reason": "r"}, 422),  # no such grid
        ({"community_code": GUIHUA_1, "reason": "r"}, 422),  # a grid is not a community
        ({"department_code": "nowhere", "reason": "r"}, 422),
        ({"grid_code": GUIHUA_1, "department_code": "water", "reason": "r"}, 422),
        ({"grid_code": GUIHUA_1}, 422),  # no reason
        ({"grid_code": GUIHUA_1, "reason": "nul\x00"}, 422),
    ],
)
async def test_a_dispatch_to_nowhere_is_422_and_changes_nothing(
    client: Any, triage_case: Any, body: dict[str, Any], status: int
) -> None:
    case = await triage_case()

    response = await client.post(f"/v1/cases/{case['id']}/dispatch", json=body, headers=DISPATCHER)

    assert response.status_code == status
    after = (await client.get(f"/v1/cases/{case['id']}", headers=DISPATCHER)).json()
    assert (after["status"], after["version"]) == ("triage", case["version"])


async def test_only_the_centre_dispatches_and_only_what_waits(
    client: Any, triage_case: Any, new_case: Any
) -> None:
    waiting = await triage_case()
    assigned = await new_case()
    body = {"department_code": "water", "reason": "停水"}

    by_member = await client.post(f"/v1/cases/{waiting['id']}/dispatch", json=body, headers=GM111A)
    again = await client.post(f"/v1/cases/{assigned['id']}/dispatch", json=body, headers=DISPATCHER)
    centre = await client.post(
        f"/v1/cases/{waiting['id']}/dispatch",
        json=body,
        headers=bearer("dc1", "district_center", "510302"),
    )

    assert by_member.status_code == 403
    assert again.status_code == 409
    assert again.json()["status"] == "assigned"
    assert centre.status_code == 200
    assert centre.json()["department_code"] == "water"
    assert centre.json()["assignee_id"] in ("water1", "water2")


async def test_the_grid_leader_reassigns_within_the_grid(client: Any, new_case: Any) -> None:
    case = await new_case()
    url = f"/v1/cases/{case['id']}/reassign"

    by_member = await client.post(
        url, json={"assignee_id": "gm111b", "reason": "r"}, headers=GM111A
    )
    other_leader = await client.post(
        url,
        json={"assignee_id": "gm111b", "reason": "r"},
        headers=bearer("gl112", "grid_leader", "510302001001002"),
    )
    outside = await client.post(url, json={"assignee_id": "gm112b", "reason": "r"}, headers=GL111)
    done = await client.post(
        url, json={"assignee_id": "gm111b", "reason": "A岗外出"}, headers=GL111
    )

    assert (by_member.status_code, other_leader.status_code, outside.status_code) == (403, 403, 422)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["assignee_id"]) == ("assigned", "gm111b")
    entry = next(t for t in done.json()["timeline"] if t["action"] == "reassigned")
    assert entry["detail"] == {"assignee_id": "gm111b", "previous": "gm111a", "reason": "A岗外出"}


async def test_an_operator_claims_an_unassigned_case_of_their_department(
    client: Any, demo_city: Any, import_directory: Any, report: Any, settled: Any
) -> None:
    absences = b"staff_id,start,end\nwater1,2026-01-01T00:00:00+08:00,2030-01-01T00:00:00+08:00\nwater2,2026-01-01T00:00:00+08:00,2030-01-01T00:00:00+08:00\n"
    assert (await import_directory("absences", absences)).status_code == 200
    case = await settled(await report(category_hint="utility/water-outage", content="停水了"))
    assert (case["status"], case["assignee_id"]) == ("routed", None)
    url = f"/v1/cases/{case['id']}/claim"

    urban = await client.post(url, headers=bearer("urban1", "department_operator", None, "urban"))
    claimed = await client.post(url, headers=bearer("water2", "department_operator", None, "water"))
    twice = await client.post(url, headers=bearer("water1", "department_operator", None, "water"))

    assert urban.status_code == 403
    assert claimed.status_code == 200, claimed.text
    assert (claimed.json()["status"], claimed.json()["assignee_id"]) == ("assigned", "water2")
    assert twice.status_code in (403, 409)


async def test_bulk_dispatch_answers_per_case_and_keeps_the_legal_ones(
    client: Any, triage_case: Any, new_case: Any
) -> None:
    first, second = await triage_case(), await triage_case()
    assigned = await new_case()
    missing = str(uuid4())

    response = await client.post(
        "/v1/cases/bulk/dispatch",
        json={
            "case_ids": [first["id"], assigned["id"], missing, second["id"]],
            "grid_code": GUIHUA_1,
            "reason": "批量派遣",
        },
        headers=DISPATCHER,
    )

    assert response.status_code == 207
    results = {r["case_id"]: r for r in response.json()["results"]}
    assert [r["status"] for r in response.json()["results"]] == [200, 409, 404, 200]
    assert results[first["id"]]["case_status"] == "assigned"
    # A refused case's row says what the case alone would have been told: its state now.
    refused = results[assigned["id"]]
    assert (refused["code"], refused["case_status"], refused["version"]) == (
        "conflict",
        "assigned",
        assigned["version"],
    )
    for case_id in (first["id"], second["id"]):
        after = (await client.get(f"/v1/cases/{case_id}", headers=DISPATCHER)).json()
        assert after["assignee_id"] == "gm111a"
    unchanged = (await client.get(f"/v1/cases/{assigned['id']}", headers=DISPATCHER)).json()
    assert unchanged["version"] == assigned["version"]


async def test_bulk_takes_at_most_100_cases(client: Any) -> None:
    response = await client.post(
        "/v1/cases/bulk/reassign",
        json={"case_ids": [str(uuid4()) for _ in range(101)], "assignee_id": "x", "reason": "r"},
        headers=GL111,
    )
    assert response.status_code == 422


async def _dispatched(kafka_bootstrap: str, namespace: str, case_id: str) -> list[dict[str, Any]]:
    """The case's ``case.dispatched`` events, oldest first, once the relay has sent one."""

    async def found() -> list[dict[str, Any]] | None:
        records = await read_topic(
            kafka_bootstrap, topics.qualify(namespace, topics.DISPATCH), min_count=1
        )
        events = [
            json.loads(r.value)["data"]
            for r in records
            if r.key.decode() == case_id and json.loads(r.value)["type"] == "case.dispatched"
        ]
        return events or None

    result: list[dict[str, Any]] = await eventually(found)
    return result


WATER_AWAY = (
    b"staff_id,start,end\n"
    b"water1,2026-01-01T00:00:00+08:00,2030-01-01T00:00:00+08:00\n"
    b"water2,2026-01-01T00:00:00+08:00,2030-01-01T00:00:00+08:00\n"
)


async def test_a_dispatch_out_of_a_units_queue_counts_as_a_hand_off(
    client: Any,
    demo_city: Any,
    import_directory: Any,
    report: Any,
    settled: Any,
    kafka_bootstrap: str,
    namespace: str,
) -> None:
    """首问负责制: moving a case from one unit to another is a hand-off, as 转派 is."""
    assert (await import_directory("absences", WATER_AWAY)).status_code == 200
    case = await settled(await report(category_hint="utility/water-outage", content="楼下积水"))
    assert (case["status"], case["department_code"], case["transfers"]) == ("routed", "water", 0)

    response = await client.post(
        f"/v1/cases/{case['id']}/dispatch",
        json={"grid_code": GUIHUA_1, "reason": "是小区内的管道，网格处理"},
        headers=DISPATCHER,
    )

    assert response.status_code == 200, response.text
    assert (response.json()["transfers"], response.json()["assignee_id"]) == (1, "gm111a")
    [event] = await _dispatched(kafka_bootstrap, namespace, case["id"])
    assert (event["kind"], event["transfers"], event["from_department_code"]) == (
        "dispatch",
        1,
        "water",
    )
    assert (event["grid_code"], event["assignee_id"]) == (GUIHUA_1, "gm111a")


async def test_a_dispatch_out_of_triage_places_the_case_without_a_hand_off(
    client: Any, triage_case: Any, kafka_bootstrap: str, namespace: str
) -> None:
    case = await triage_case()

    response = await client.post(
        f"/v1/cases/{case['id']}/dispatch",
        json={"department_code": "water", "reason": "停水"},
        headers=DISPATCHER,
    )

    assert response.status_code == 200, response.text
    assert response.json()["transfers"] == 0
    [event] = await _dispatched(kafka_bootstrap, namespace, case["id"])
    assert (event["from_status"], event["from_grid_code"], event["from_department_code"]) == (
        "triage",
        None,
        None,
    )
    assert event["assignee_id"] == response.json()["assignee_id"]


async def test_reassign_and_claim_are_announced_as_hand_offs_within_the_unit(
    client: Any,
    new_case: Any,
    import_directory: Any,
    report: Any,
    settled: Any,
    kafka_bootstrap: str,
    namespace: str,
) -> None:
    case = await new_case()
    assert (await import_directory("absences", WATER_AWAY)).status_code == 200
    queued = await settled(await report(category_hint="utility/water-outage", content="停水了"))

    reassigned = await client.post(
        f"/v1/cases/{case['id']}/reassign",
        json={"assignee_id": "gm111b", "reason": "A岗外出"},
        headers=GL111,
    )
    claimed = await client.post(
        f"/v1/cases/{queued['id']}/claim",
        headers=bearer("water2", "department_operator", None, "water"),
    )

    assert (reassigned.status_code, claimed.status_code) == (200, 200)
    assert (reassigned.json()["transfers"], claimed.json()["transfers"]) == (0, 0)
    [moved] = await _dispatched(kafka_bootstrap, namespace, case["id"])
    [taken] = await _dispatched(kafka_bootstrap, namespace, queued["id"])
    assert (moved["kind"], moved["previous_assignee_id"], moved["assignee_id"]) == (
        "reassign",
        "gm111a",
        "gm111b",
    )
    assert (moved["target"], moved["grid_code"], moved["transfers"]) == ("grid", GUIHUA_1, 0)
    assert (taken["kind"], taken["assignee_id"], taken["department_code"]) == (
        "claim",
        "water2",
        "water",
    )


async def test_a_dispatcher_reassigns_a_case_within_its_unit(client: Any, new_case: Any) -> None:
    """改派 by the centre that dispatches (its district only): the unit stays, the person
    changes, nothing counts as a hand-off to another unit."""
    case = await new_case()
    url = f"/v1/cases/{case['id']}/reassign"

    elsewhere = await client.post(
        url,
        json={"assignee_id": "gm111b", "reason": "r"},
        headers=bearer("dp2", "dispatcher", "510303"),
    )
    done = await client.post(
        url, json={"assignee_id": "gm111b", "reason": "A岗请假"}, headers=DISPATCHER
    )

    assert elsewhere.status_code == 403
    assert done.status_code == 200, done.text
    assert (done.json()["assignee_id"], done.json()["transfers"]) == ("gm111b", 0)


async def test_a_hand_off_with_a_stale_version_is_refused_and_changes_nothing(
    client: Any, new_case: Any
) -> None:
    """If-Match: a desk that saw an older version gets 409 with the case's state now."""
    case = await new_case()
    url = f"/v1/cases/{case['id']}/reassign"
    stale = f'"{case["version"] - 1}"'

    refused = await client.post(
        url,
        json={"assignee_id": "gm111b", "reason": "r"},
        headers={**DISPATCHER, "If-Match": stale},
    )
    unchanged = (await client.get(f"/v1/cases/{case['id']}", headers=DISPATCHER)).json()
    done = await client.post(
        url,
        json={"assignee_id": "gm111b", "reason": "r"},
        headers={**DISPATCHER, "If-Match": f'"{case["version"]}"'},
    )
    garbled = await client.post(
        f"/v1/cases/{case['id']}/claim", headers={**DISPATCHER, "If-Match": "soon"}
    )

    assert refused.status_code == 409
    assert (refused.json()["status"], refused.json()["version"]) == ("assigned", case["version"])
    assert (unchanged["assignee_id"], unchanged["version"]) == ("gm111a", case["version"])
    assert done.status_code == 200, done.text
    assert garbled.status_code == 422
