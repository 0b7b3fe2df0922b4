"""常用语 per unit and action."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

GUIHUA_1 = "510302001001001"


async def test_a_unit_keeps_its_phrases_and_those_below_read_them(client: Any) -> None:
    district = bearer("dp1", "dispatcher", "510302")
    leader = bearer("gl111", "grid_leader", GUIHUA_1)
    member = bearer("gm111a", "grid_member", GUIHUA_1)
    elsewhere = bearer("gm211a", "grid_member", "510302002001001")

    put = await client.put(
        "/v1/phrases",
        json={"action": "return", "phrases": ["不属于本网格", "地址不详"]},
        headers=district,
    )
    assert put.status_code == 200, put.text
    await client.put(
        "/v1/phrases",
        json={"action": "return", "phrases": ["已联系物业", " 已联系物业 "]},
        headers=leader,
    )
    mine = (await client.get("/v1/phrases", params={"action": "return"}, headers=member)).json()
    theirs = (
        await client.get("/v1/phrases", params={"action": "return"}, headers=elsewhere)
    ).json()

    assert [(i["unit"], i["phrases"]) for i in mine["items"]] == [
        ("area:510302", ["不属于本网格", "地址不详"]),
        (f"area:{GUIHUA_1}", ["已联系物业"]),
    ]
    assert [i["unit"] for i in theirs["items"]] == ["area:510302"]


async def test_a_list_saved_since_it_was_read_is_a_conflict(
    client: Any, clock: ManualClock
) -> None:
    """Two leaders of one station edit its list: the later save from an old copy is
    refused (409, naming who and when), nothing lost; without a version it is saved."""
    first = bearer("sm11", "station_master", "510302001001")
    second = bearer("sm11b", "station_master", "510302001001")
    url = "/v1/phrases"
    made = await client.put(url, json={"action": "close", "phrases": ["已核实"]}, headers=first)
    read_at = made.json()["updated_at"]
    clock.advance(timedelta(minutes=1))

    theirs = await client.put(
        url,
        json={"action": "close", "phrases": ["已核实", "居民满意"], "expected_updated_at": read_at},
        headers=second,
    )
    clock.advance(timedelta(minutes=1))
    stale = await client.put(
        url,
        json={"action": "close", "phrases": ["已办结"], "expected_updated_at": read_at},
        headers=first,
    )

    assert theirs.status_code == 200, theirs.text
    assert stale.status_code == 409, stale.text
    problem = stale.json()
    assert problem["code"] == "conflict"
    assert problem["updated_by"] == "sm11b"
    saved_at = datetime.fromisoformat(theirs.json()["updated_at"])
    assert datetime.fromisoformat(problem["updated_at"]) == saved_at
    assert "sm11b" in problem["detail"]
    kept = await client.get(url, params={"action": "close"}, headers=first)
    assert kept.json()["items"][-1]["phrases"] == ["已核实", "居民满意"]

    current = theirs.json()["updated_at"]
    again = await client.put(
        url,
        json={"action": "close", "phrases": ["已办结"], "expected_updated_at": current},
        headers=first,
    )
    unversioned = await client.put(url, json={"action": "close", "phrases": ["x"]}, headers=first)
    assert again.status_code == 200
    assert unversioned.status_code == 200


async def test_a_grid_member_does_not_keep_phrases(client: Any) -> None:
    response = await client.put(
        "/v1/phrases",
        json={"action": "resolve", "phrases": ["已清理"]},
        headers=bearer("gm111a", "grid_member", GUIHUA_1),
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"action": "dance", "phrases": []},
        {"action": "return", "phrases": ["x" * 201]},
        {"action": "return", "phrases": ["x"] * 51},
        {"action": "return", "phrases": ["   "]},
        {"action": "return", "phrases": ["不在\x00本网格"]},
        {"action": "return", "phrases": [], "expected_updated_at": "yesterday"},
        {"action": "return", "phrases": [], "expected_updated_at": "2026-11-28T10:00:00"},
    ],
)
async def test_bad_phrases_are_422(client: Any, body: dict[str, Any]) -> None:
    response = await client.put(
        "/v1/phrases", json=body, headers=bearer("dp1", "dispatcher", "510302")
    )
    assert response.status_code == 422
