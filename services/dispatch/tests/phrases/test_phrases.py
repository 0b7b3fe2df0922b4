"""常用语 per unit and action."""

from typing import Any

import pytest

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
    ],
)
async def test_bad_phrases_are_422(client: Any, body: dict[str, Any]) -> None:
    response = await client.put(
        "/v1/phrases", json=body, headers=bearer("dp1", "dispatcher", "510302")
    )
    assert response.status_code == 422
