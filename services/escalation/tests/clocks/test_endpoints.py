"""Overdue lists, policies and the calendar preview, each within the caller's scope."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from gridcase_events import envelope
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

ADMIN = bearer("admin1", "admin", "510302")
STATION = bearer("sm11", "station_master", "510302001001")
OTHER_STATION = bearer("sm12", "station_master", "510302001002")
WATER = bearer("water1", "department_operator", None, "water")


async def test_overdue_lists_breached_clocks_within_scope_only(
    client: Any, dispatch: Any, clocks_of: Any, build: Any, clock: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    await clocks_of(case_id, lambda c: len(c) == 2)
    clock.advance(timedelta(hours=3))  # the sign-for clock is 1 hour overdue

    mine = await client.get("/v1/overdue", headers=STATION)
    theirs = await client.get("/v1/overdue", headers=OTHER_STATION)
    widened = await client.get("/v1/overdue", params={"area_code": "510302"}, headers=STATION)
    department = await client.get(
        "/v1/overdue", params={"area_code": "510302001001"}, headers=WATER
    )

    assert [(c["case_id"], c["kind"]) for c in mine.json()] == [(str(case_id), "sign_for")]
    assert mine.json()[0]["remaining_seconds"] == -3600
    assert theirs.json() == []
    assert widened.status_code == 403
    assert department.status_code == 403


async def test_policies_are_read_by_staff_and_changed_by_admins_only(client: Any) -> None:
    change = [
        {
            "category_code": "neighbour/noise-dispute",
            "clock": "resolution",
            "amount": 3,
            "unit": "working_days",
        }
    ]

    refused = await client.put("/v1/policies", json=change, headers=STATION)
    changed = await client.put("/v1/policies", json=change, headers=ADMIN)
    listed = await client.get("/v1/policies", headers=STATION)

    assert refused.status_code == 403
    assert changed.status_code == 200
    rows = {(p["category_code"], p["priority"], p["clock"]): p for p in listed.json()}
    assert rows[("neighbour/noise-dispute", "*", "resolution")]["unit"] == "working_days"
    assert rows[("*", "normal", "resolution")]["amount"] == 7  # the seeded default


async def test_the_preview_says_when_a_deadline_would_fall(client: Any) -> None:
    await client.put(
        "/v1/policies",
        json=[
            {
                "category_code": "neighbour/noise-dispute",
                "clock": "resolution",
                "amount": 3,
                "unit": "working_days",
            }
        ],
        headers=ADMIN,
    )
    friday = "2026-11-27T10:00:00+08:00"

    preview = await client.get(
        "/v1/calendar/preview",
        params={"category_code": "neighbour/noise-dispute", "start": friday},
        headers=STATION,
    )

    assert preview.status_code == 200
    assert preview.json()["due_local"] == "2026-12-02T10:00:00+08:00"  # Mon, Tue, Wed
    assert preview.json()["policy"]["unit"] == "working_days"


async def test_a_local_holiday_moves_working_day_deadlines(client: Any) -> None:
    await client.put(
        "/v1/policies",
        json=[
            {
                "category_code": "neighbour/noise-dispute",
                "clock": "resolution",
                "amount": 1,
                "unit": "working_days",
            }
        ],
        headers=ADMIN,
    )
    refused = await client.put(
        "/v1/calendar/days",
        json=[{"day": "2026-11-30", "working": False, "name": "x"}],
        headers=STATION,
    )
    added = await client.put(
        "/v1/calendar/days",
        json=[{"day": "2026-11-30", "working": False, "name": "区级调休"}],
        headers=ADMIN,
    )
    preview = await client.get(
        "/v1/calendar/preview",
        params={"category_code": "neighbour/noise-dispute", "start": "2026-11-27T10:00:00+08:00"},
        headers=STATION,
    )

    assert refused.status_code == 403
    assert added.status_code == 204
    assert datetime.fromisoformat(preview.json()["due_local"]) == datetime.fromisoformat(
        "2026-12-01T10:00:00+08:00"
    )


async def test_a_naive_start_is_refused(client: Any) -> None:
    response = await client.get(
        "/v1/calendar/preview", params={"start": "2026-11-27T10:00:00"}, headers=STATION
    )
    assert response.status_code == 422


async def test_a_limit_beyond_a_bigint_is_refused_not_a_server_error(client: Any) -> None:
    huge = str(2**70)

    overdue = await client.get("/v1/overdue", params={"limit": huge}, headers=STATION)
    orders = await client.get("/v1/supervisions", params={"limit": huge}, headers=STATION)

    assert overdue.status_code == 422
    assert orders.status_code == 422
