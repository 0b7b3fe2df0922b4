"""GET /v1/directory/departments: the departments to dispatch or transfer to, by name."""

from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

DISPATCHER = bearer("dp1", "dispatcher", "510302")
WATER_OPERATOR = bearer("dw1", "department_operator", department_code="water")


async def test_every_department_is_listed_with_its_name(demo_city: Any, client: Any) -> None:
    answer = await client.get("/v1/directory/departments", headers=DISPATCHER)

    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [(d["code"], d["name"]) for d in items] == [
        ("housing", "住建局"),
        ("market", "市场监管局"),
        ("police", "派出所"),
        ("power", "供电公司"),
        ("urban", "城管局"),
        ("water", "水务局"),
    ]
    assert not any(d["mine"] for d in items)


async def test_a_part_of_the_name_or_code_filters_and_codes_pick(
    demo_city: Any, client: Any
) -> None:
    by_name = await client.get(
        "/v1/directory/departments", params={"q": "水务"}, headers=DISPATCHER
    )
    by_code = await client.get("/v1/directory/departments", params={"q": "POW"}, headers=DISPATCHER)
    picked = await client.get(
        "/v1/directory/departments",
        params=[("code", "urban"), ("code", "police"), ("code", "nowhere")],
        headers=DISPATCHER,
    )
    wildcard = await client.get("/v1/directory/departments", params={"q": "%"}, headers=DISPATCHER)

    assert [d["code"] for d in by_name.json()["items"]] == ["water"]
    assert [d["code"] for d in by_code.json()["items"]] == ["power"]
    assert [d["code"] for d in picked.json()["items"]] == ["police", "urban"]
    assert wildcard.json()["items"] == []


async def test_a_department_operator_sees_their_own_marked(demo_city: Any, client: Any) -> None:
    answer = await client.get("/v1/directory/departments", headers=WATER_OPERATOR)

    assert [d["code"] for d in answer.json()["items"] if d["mine"]] == ["water"]


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "x" * 51}, {"code": ""}, {"code": "x" * 33}],
)
async def test_bad_filters_are_refused_precisely(
    demo_city: Any, client: Any, params: dict[str, str]
) -> None:
    answer = await client.get("/v1/directory/departments", params=params, headers=DISPATCHER)

    assert answer.status_code == 422, answer.text


async def test_without_a_token_nothing_is_listed(demo_city: Any, client: Any) -> None:
    assert (await client.get("/v1/directory/departments")).status_code == 401
