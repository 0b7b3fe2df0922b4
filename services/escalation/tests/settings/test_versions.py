"""Settings saved against the version their editor read (kit.versions): two admins
editing the same policy row, ladder or calendar day from one version — the second is
refused with a 409 naming who changed it, saves after a reload, and nothing of the
refused save is stored. A save without a version is accepted (last save wins), as
notify's rules do."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

D = "510302"
ALICE = bearer("admin-alice", "admin", D)
BOB = bearer("admin-bob", "admin", D)
NOISE = "neighbour/noise-dispute"


@pytest.fixture
def save(client: Any, clock: Any) -> Callable[..., Any]:
    """A PUT a minute after the one before (each save is a new version)."""

    async def put(url: str, body: Any, headers: dict[str, str]) -> Any:
        clock.advance(timedelta(minutes=1))
        return await client.put(url, json=body, headers=headers)

    return put


def _limit(amount: int, **extra: Any) -> dict[str, Any]:
    return {"category_code": NOISE, "clock": "resolution", "amount": amount, "unit": "days"} | extra


async def _policy(client: Any) -> dict[str, Any]:
    listed = (await client.get("/v1/policies", headers=ALICE)).json()
    [row] = [p for p in listed if p["category_code"] == NOISE and p["district_code"] == D]
    return dict(row)


async def test_a_second_admin_saving_a_policy_from_the_same_version_gets_a_conflict(
    client: Any, save: Any
) -> None:
    assert (await save("/v1/policies", [_limit(5)], headers=ALICE)).status_code == 200
    seen = (await _policy(client))["updated_at"]

    first = await save("/v1/policies", [_limit(3, expected_updated_at=seen)], headers=ALICE)
    second = await save("/v1/policies", [_limit(9, expected_updated_at=seen)], headers=BOB)

    assert first.status_code == 200, first.text
    assert second.status_code == 409
    problem = second.json()
    assert problem["code"] == "conflict"
    assert problem["updated_by"] == "admin-alice"
    assert "admin-alice" in problem["detail"] and "reload" in problem["detail"]
    stored = await _policy(client)
    assert (stored["amount"], stored["updated_by"]) == (3, "admin-alice")

    again = await save(
        "/v1/policies", [_limit(9, expected_updated_at=stored["updated_at"])], headers=BOB
    )

    assert again.status_code == 200, again.text
    assert ((await _policy(client))["amount"], (await _policy(client))["updated_by"]) == (
        9,
        "admin-bob",
    )


async def test_a_policy_saved_without_a_version_is_accepted_last_save_wins(
    client: Any, save: Any
) -> None:
    await save("/v1/policies", [_limit(5)], headers=ALICE)

    answer = await save("/v1/policies", [_limit(7)], headers=BOB)

    assert answer.status_code == 200
    assert (await _policy(client))["amount"] == 7


async def test_a_refused_row_saves_nothing_of_its_batch(client: Any, save: Any) -> None:
    await save("/v1/policies", [_limit(5)], headers=ALICE)
    seen = (await _policy(client))["updated_at"]
    await save("/v1/policies", [_limit(6)], headers=BOB)
    other = {"category_code": "order/illegal-parking", "clock": "resolution"}

    answer = await save(
        "/v1/policies",
        [{**other, "amount": 2, "unit": "days"}, _limit(1, expected_updated_at=seen)],
        headers=ALICE,
    )

    assert answer.status_code == 409
    listed = (await client.get("/v1/policies", headers=ALICE)).json()
    assert not [p for p in listed if p["category_code"] == other["category_code"]]


async def test_a_second_admin_replacing_the_ladder_from_the_same_version_gets_a_conflict(
    client: Any, save: Any
) -> None:
    def rungs(delay: int, **extra: Any) -> list[dict[str, Any]]:
        return [
            {"unit": "grid", "level": 1, "role": "grid_leader", "delay_minutes": delay} | extra,
            {"unit": "grid", "level": 2, "role": "station_master", "delay_minutes": 60} | extra,
        ]

    assert (await save("/v1/ladder", rungs(0), headers=ALICE)).status_code == 200
    seen = [
        r for r in (await client.get("/v1/ladder", headers=ALICE)).json() if r["unit"] == "grid"
    ]
    version = seen[0]["updated_at"]

    first = await save("/v1/ladder", rungs(15, expected_updated_at=version), headers=ALICE)
    second = await save("/v1/ladder", rungs(30, expected_updated_at=version), headers=BOB)
    now = [r for r in (await client.get("/v1/ladder", headers=ALICE)).json() if r["unit"] == "grid"]

    assert first.status_code == 200, first.text
    assert second.status_code == 409
    assert second.json()["updated_by"] == "admin-alice"
    assert [r["delay_minutes"] for r in now] == [15, 60]

    again = await save(
        "/v1/ladder", rungs(30, expected_updated_at=now[0]["updated_at"]), headers=BOB
    )

    assert again.status_code == 200, again.text
    assert [(r["delay_minutes"], r["updated_by"]) for r in again.json() if r["unit"] == "grid"] == [
        (30, "admin-bob"),
        (60, "admin-bob"),
    ]


async def test_a_second_admin_changing_a_calendar_day_from_the_same_version_gets_a_conflict(
    client: Any, save: Any
) -> None:
    day = {"day": "2026-12-24", "working": False, "name": "区庆"}
    assert (await save("/v1/calendar/days", [day], headers=ALICE)).status_code == 204

    async def stored() -> dict[str, Any]:
        listed = await client.get("/v1/calendar/days", params={"year": 2026}, headers=ALICE)
        [row] = [d for d in listed.json() if d["day"] == day["day"]]
        return dict(row)

    seen = (await stored())["updated_at"]
    first = await save(
        "/v1/calendar/days",
        [{**day, "name": "区庆日", "expected_updated_at": seen}],
        headers=ALICE,
    )
    second = await save(
        "/v1/calendar/days",
        [{**day, "working": True, "expected_updated_at": seen}],
        headers=BOB,
    )

    assert first.status_code == 204, first.text
    assert second.status_code == 409
    assert second.json()["updated_by"] == "admin-alice"
    assert ((await stored())["name"], (await stored())["working"]) == ("区庆日", False)

    again = await save(
        "/v1/calendar/days",
        [{**day, "working": True, "expected_updated_at": (await stored())["updated_at"]}],
        headers=BOB,
    )

    assert again.status_code == 204
    assert ((await stored())["working"], (await stored())["updated_by"]) == (True, "admin-bob")


async def test_an_expected_version_without_its_offset_is_a_422(client: Any, save: Any) -> None:
    answer = await save(
        "/v1/policies", [_limit(5, expected_updated_at="2026-11-28T12:00:00")], headers=ALICE
    )

    assert answer.status_code == 422
