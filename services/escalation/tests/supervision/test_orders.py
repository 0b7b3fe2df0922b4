"""督办: yellow card at a breach, red card working days later, orders by hand in scope."""

import json
from datetime import timedelta
from typing import Any

import pytest

from gridcase_events import envelope, topics
from gridcase_events.testing import bearer, eventually, read_topic

pytestmark = pytest.mark.integration

STATION = bearer("sm11", "station_master", "510302001001")


async def orders(kafka: str, namespace: str, case_id: Any, count: int) -> list[dict[str, Any]]:
    async def check() -> list[dict[str, Any]] | None:
        records = await read_topic(
            kafka, topics.qualify(namespace, topics.ESCALATION), min_count=count
        )
        found = [
            json.loads(r.value)["data"]
            for r in records
            if r.key == str(case_id).encode()
            and json.loads(r.value)["type"] == "supervision.issued"
        ]
        return found if len(found) >= count else None

    result: list[dict[str, Any]] = await eventually(check)
    return result


async def test_a_resolution_breach_gets_a_yellow_card_and_later_a_red_one(
    client: Any,
    dispatch: Any,
    build: Any,
    clock: Any,
    clocks_of: Any,
    namespace: str,
    kafka_bootstrap: str,
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id, priority="urgent", category="safety/fire-hazard"))  # 2 h
    await clocks_of(case_id, lambda c: len(c) == 2)

    clock.advance(timedelta(hours=2, minutes=1))
    [yellow] = await orders(kafka_bootstrap, namespace, case_id, 1)
    clock.advance(timedelta(days=8))  # five working days after Monday's breach is next Monday
    red = (await orders(kafka_bootstrap, namespace, case_id, 2))[1]
    listed = await client.get("/v1/supervisions", headers=STATION)

    assert (yellow["card"], yellow["source"], yellow["grid_code"]) == (
        "yellow",
        "auto",
        "510302001001001",
    )
    assert (red["card"], red["source"]) == ("red", "auto")
    assert "5 working days" in red["reason"]
    assert {o["card"] for o in listed.json() if o["case_id"] == str(case_id)} == {"yellow", "red"}


async def test_supervisors_issue_orders_by_hand_within_their_scope_only(
    client: Any, dispatch: Any, build: Any, clocks_of: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    await clocks_of(case_id, lambda c: len(c) == 2)
    body = {"case_id": str(case_id), "reason": "群众反映强烈，请加快办理"}

    issued = await client.post("/v1/supervisions", json=body, headers=STATION)
    by_member = await client.post(
        "/v1/supervisions", json=body, headers=bearer("gm111a", "grid_member", "510302001001001")
    )
    by_other = await client.post(
        "/v1/supervisions", json=body, headers=bearer("sm12", "station_master", "510302001002")
    )
    unknown = await client.post(
        "/v1/supervisions", json={**body, "case_id": str(envelope.new_id())}, headers=STATION
    )
    seen_by_other = await client.get(
        "/v1/supervisions", headers=bearer("sm12", "station_master", "510302001002")
    )

    assert issued.status_code == 201
    assert (issued.json()["card"], issued.json()["source"], issued.json()["issued_by"]) == (
        "none",
        "manual",
        "sm11",
    )
    assert by_member.status_code == 403
    assert by_other.status_code == 403
    assert unknown.status_code == 404
    assert seen_by_other.json() == []


async def test_a_case_s_orders_are_listed_by_its_id_within_scope(
    client: Any, dispatch: Any, build: Any, clocks_of: Any
) -> None:
    case_id, other_id = envelope.new_id(), envelope.new_id()
    for each in (case_id, other_id):
        await dispatch(build.assigned(each))
        await clocks_of(each, lambda c: len(c) == 2)
        await client.post(
            "/v1/supervisions", json={"case_id": str(each), "reason": "请加快办理"}, headers=STATION
        )

    of_case = await client.get(
        "/v1/supervisions", params={"case_id": str(case_id)}, headers=STATION
    )
    by_other = await client.get(
        "/v1/supervisions",
        params={"case_id": str(case_id)},
        headers=bearer("sm12", "station_master", "510302001002"),
    )
    malformed = await client.get("/v1/supervisions", params={"case_id": "x"}, headers=STATION)

    assert [o["case_id"] for o in of_case.json()] == [str(case_id)]
    assert by_other.json() == []
    assert malformed.status_code == 422


async def test_the_addressed_grid_answers_an_order_once_and_the_issuer_sees_it(
    client: Any, dispatch: Any, build: Any, clocks_of: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    await clocks_of(case_id, lambda c: len(c) == 2)
    issued = await client.post(
        "/v1/supervisions", json={"case_id": str(case_id), "reason": "请加快办理"}, headers=STATION
    )
    order = issued.json()["id"]
    member = bearer("gm111a", "grid_member", "510302001001001")

    answered = await client.post(
        f"/v1/supervisions/{order}/answer", json={"text": "已联系物业，明天清运"}, headers=member
    )
    twice = await client.post(
        f"/v1/supervisions/{order}/answer", json={"text": "再答一次"}, headers=member
    )
    seen = await client.get("/v1/supervisions", params={"case_id": str(case_id)}, headers=STATION)

    assert answered.status_code == 200, answered.text
    assert twice.status_code == 409
    assert twice.json()["answered_by"] == "gm111a"
    [listed] = seen.json()
    assert (listed["answer"], listed["answered_by"]) == ("已联系物业，明天清运", "gm111a")
    assert listed["answered_at"] is not None


async def test_only_the_addressed_unit_answers_an_order(
    client: Any, dispatch: Any, build: Any, clocks_of: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    await clocks_of(case_id, lambda c: len(c) == 2)
    issued = await client.post(
        "/v1/supervisions", json={"case_id": str(case_id), "reason": "请加快办理"}, headers=STATION
    )
    url = f"/v1/supervisions/{issued.json()['id']}/answer"
    body = {"text": "已处理"}

    other_grid = await client.post(
        url, json=body, headers=bearer("gm112a", "grid_member", "510302001001002")
    )
    issuer = await client.post(url, json=body, headers=STATION)
    department = await client.post(
        url, json=body, headers=bearer("op1", "department_operator", "510302", department_code="cg")
    )
    unknown = await client.post(
        f"/v1/supervisions/{envelope.new_id()}/answer",
        json=body,
        headers=bearer("gm111a", "grid_member", "510302001001001"),
    )
    empty = await client.post(
        url, json={"text": ""}, headers=bearer("gm111a", "grid_member", "510302001001001")
    )
    still = await client.get("/v1/supervisions", params={"case_id": str(case_id)}, headers=STATION)

    assert (other_grid.status_code, issuer.status_code, department.status_code) == (404, 403, 404)
    assert unknown.status_code == 404
    assert empty.status_code == 422
    assert still.json()[0]["answer"] is None
