"""Policies and calendars per district, with the city's default
(docs/adr/0005-districts-side-by-side.md): a district's own limit or local holiday
overrides the default there, and nowhere else."""

from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

A, B = "510311", "510422"
CITY_ADMIN = bearer("admin0", "admin")
CITY = bearer("cc1", "city_center")
NOISE = "neighbour/noise-dispute"
MONDAY = "2026-11-23T10:00:00+08:00"


def _limit(amount: int, **extra: Any) -> dict[str, Any]:
    return {"category_code": NOISE, "clock": "resolution", "amount": amount} | {
        "unit": "working_days",
        **extra,
    }


async def _due(client: Any, headers: dict[str, str], **params: str) -> Any:
    answer = await client.get(
        "/v1/calendar/preview",
        params={"category_code": NOISE, "start": MONDAY, **params},
        headers=headers,
    )
    return answer.json()["due_local"] if answer.status_code == 200 else answer.status_code


async def test_a_districts_own_limit_overrides_the_citys_default_there_only(client: Any) -> None:
    city = await client.put("/v1/policies", json=[_limit(3, district_code="")], headers=CITY_ADMIN)
    own = await client.put("/v1/policies", json=[_limit(1)], headers=bearer("admin-a", "admin", A))

    assert (city.status_code, own.status_code) == (200, 200)
    assert await _due(client, bearer("dc-a", "district_center", A)) == "2026-11-24T10:00:00+08:00"
    assert await _due(client, bearer("dc-b", "district_center", B)) == "2026-11-26T10:00:00+08:00"
    assert await _due(client, CITY, district=A) == "2026-11-24T10:00:00+08:00"
    assert await _due(client, CITY) == "2026-11-26T10:00:00+08:00"  # the city's default
    assert await _due(client, bearer("dc-a", "district_center", A), district=B) == 403
    listed = await client.get("/v1/policies", headers=bearer("sm-b", "station_master", B + "001"))
    assert {p["district_code"] for p in listed.json()} == {""}  # B sees the default only


async def test_a_districts_local_holiday_moves_its_deadlines_only(client: Any) -> None:
    await client.put("/v1/policies", json=[_limit(1, district_code="")], headers=CITY_ADMIN)
    holiday = [{"day": "2026-11-24", "working": False, "name": "区庆"}]

    answer = await client.put("/v1/calendar/days", json=holiday, headers=bearer("ad", "admin", B))

    assert answer.status_code == 204
    assert await _due(client, bearer("dc-b", "district_center", B)) == "2026-11-25T10:00:00+08:00"
    assert await _due(client, bearer("dc-a", "district_center", A)) == "2026-11-24T10:00:00+08:00"


async def test_a_districts_admin_changes_neither_the_default_nor_another_district(
    client: Any,
) -> None:
    admin_a = bearer("admin-a", "admin", A)

    default = await client.put("/v1/policies", json=[_limit(2, district_code="")], headers=admin_a)
    other = await client.put(
        "/v1/calendar/days",
        json=[{"day": "2026-11-24", "working": False, "name": "x", "district_code": B}],
        headers=admin_a,
    )

    assert default.status_code == 403
    assert "the city's default" in default.json()["detail"]
    assert other.status_code == 403


async def test_a_district_lists_the_citys_days_and_its_own_not_anothers(client: Any) -> None:
    await client.put(
        "/v1/calendar/days",
        json=[{"day": "2026-10-09", "working": True, "name": "调休上班", "district_code": ""}],
        headers=CITY_ADMIN,
    )
    await client.put(
        "/v1/calendar/days",
        json=[{"day": "2026-11-24", "working": False, "name": "区庆"}],
        headers=bearer("ad", "admin", B),
    )
    await client.put(
        "/v1/calendar/days",
        json=[{"day": "2026-11-25", "working": False, "name": "另一区"}],
        headers=bearer("admin-a", "admin", A),
    )

    mine = await client.get(
        "/v1/calendar/days", params={"year": 2026}, headers=bearer("ad", "admin", B)
    )
    other = await client.get(
        "/v1/calendar/days", params={"year": 2026, "district": A}, headers=bearer("ad", "admin", B)
    )
    next_year = await client.get(
        "/v1/calendar/days", params={"year": 2027}, headers=bearer("ad", "admin", B)
    )

    assert mine.status_code == 200
    assert [(d["district_code"], d["day"], d["working"], d["name"]) for d in mine.json()] == [
        ("", "2026-10-09", True, "调休上班"),
        (B, "2026-11-24", False, "区庆"),
    ]
    assert other.status_code == 403
    assert next_year.json() == []
