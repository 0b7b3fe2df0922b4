"""Who did what, per person (GET /v1/staff/{id}/actions): over the real broker and
database, what a dispatcher did is listed to each overseer only where their scope
reaches."""

from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

DISPATCHER = bearer("dp1", "dispatcher", "510302")
GRIDS = {
    "guihua": "510302001001001",  # 桂花社区一网格
    "fenglin": "510302001002001",  # 枫林社区一网格
    "binjiang": "510302002001001",  # 滨江街道的网格
}


@pytest.fixture
async def dispatched(client: Any, demo_city: Any, report: Any, settled: Any) -> dict[str, str]:
    """Three triage cases dispatched by dp1, one to each grid, each with its reason;
    the tracking number of each by grid."""
    numbers: dict[str, str] = {}
    for name, grid in GRIDS.items():
        case = await settled(await report(location=None, address=None))
        assert case["status"] == "triage"
        response = await client.post(
            f"/v1/cases/{case['id']}/dispatch",
            json={"grid_code": grid, "reason": f"居民补充了地址：{name}"},
            headers=DISPATCHER,
        )
        assert response.status_code == 200, response.text
        numbers[name] = case["tracking_no"]
    return numbers


async def _actions(client: Any, headers: dict[str, str], **params: Any) -> Any:
    return await client.get("/v1/staff/dp1/actions", params=params, headers=headers)


async def test_an_admin_sees_every_action_with_its_case_and_reason_newest_first(
    client: Any, dispatched: dict[str, str]
) -> None:
    response = await _actions(client, bearer("admin1", "admin", None))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["staff_id"] == "dp1"
    assert [(a["action"], a["tracking_no"], a["reason"]) for a in body["items"]] == [
        ("dispatched", dispatched["binjiang"], "居民补充了地址：binjiang"),
        ("dispatched", dispatched["fenglin"], "居民补充了地址：fenglin"),
        ("dispatched", dispatched["guihua"], "居民补充了地址：guihua"),
    ]
    assert body["next_cursor"] is None


async def test_pages_follow_the_cursor_without_repeating_or_losing_an_action(
    client: Any, dispatched: dict[str, str]
) -> None:
    admin = bearer("admin1", "admin", None)

    first = (await _actions(client, admin, limit=2)).json()
    second = (await _actions(client, admin, limit=2, cursor=first["next_cursor"])).json()

    assert [a["tracking_no"] for a in first["items"] + second["items"]] == [
        dispatched["binjiang"],
        dispatched["fenglin"],
        dispatched["guihua"],
    ]
    assert first["next_cursor"] is not None and second["next_cursor"] is None


@pytest.mark.parametrize(
    ("who", "claims", "seen"),
    [
        ("station master of 桂花", ("sm11", "station_master", "510302001001"), {"guihua"}),
        (
            "street officer of the first street",
            ("so1", "street_officer", "510302001"),
            {"guihua", "fenglin"},
        ),
        ("street officer of 滨江", ("so2", "street_officer", "510302002"), {"binjiang"}),
        ("district centre", ("dc1", "district_center", "510302"), set(GRIDS)),
        ("another district's centre", ("dc9", "district_center", "510399"), set()),
        ("another district's admin", ("admin9", "admin", "510399"), set()),
    ],
)
async def test_the_list_is_walled_by_the_callers_scope(
    client: Any, dispatched: dict[str, str], who: str, claims: tuple[Any, ...], seen: set[str]
) -> None:
    response = await _actions(client, bearer(*claims))

    assert response.status_code == 200, (who, response.text)
    shown = {a["tracking_no"] for a in response.json()["items"]}
    assert shown == {dispatched[name] for name in seen}, who


async def test_a_grid_member_may_not_read_what_others_did(
    client: Any, dispatched: dict[str, str]
) -> None:
    response = await _actions(client, bearer("gm111a", "grid_member", GRIDS["guihua"]))

    assert response.status_code == 403


@pytest.mark.parametrize("params", [{"cursor": "x"}, {"cursor": 0}, {"limit": 500}])
async def test_a_bad_cursor_or_limit_is_a_422(
    client: Any, demo_city: Any, params: dict[str, Any]
) -> None:
    response = await _actions(client, bearer("admin1", "admin", None), **params)

    assert response.status_code == 422, params
