"""Notification preferences saved with the version their editor read (a person and
an admin, or two admins, editing one person's at once): a stale save is refused."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

SM12 = bearer("sm12", "station_master", "510302001002")
ADMIN = bearer("admin1", "admin", "510302")
OTHER_ADMIN = bearer("admin2", "admin", "510302")


async def test_preferences_saved_since_they_were_read_are_a_conflict(
    client: Any, clock: ManualClock
) -> None:
    """The station master and an admin both open sm12's preferences; the admin saves
    first; the station master's save from the old copy is refused (409 naming the admin
    and when), and nothing of it is stored."""
    made = await client.put("/v1/preferences/me", json={"quiet_hours": ""}, headers=SM12)
    read_at = made.json()["updated_at"]
    assert made.json()["updated_by"] == "sm12"
    clock.advance(timedelta(minutes=1))

    theirs = await client.put(
        "/v1/preferences/sm12",
        json={"email": "sm12@example.cn", "expected_updated_at": read_at},
        headers=ADMIN,
    )
    clock.advance(timedelta(minutes=1))
    stale = await client.put(
        "/v1/preferences/me",
        json={"disabled_channels": ["wecom"], "expected_updated_at": read_at},
        headers=SM12,
    )

    assert theirs.status_code == 200, theirs.text
    assert stale.status_code == 409, stale.text
    problem = stale.json()
    assert problem["code"] == "conflict"
    assert problem["updated_by"] == "admin1"
    assert "admin1" in problem["detail"]
    saved_at = datetime.fromisoformat(theirs.json()["updated_at"])
    assert datetime.fromisoformat(problem["updated_at"]) == saved_at
    kept = (await client.get("/v1/preferences/me", headers=SM12)).json()
    assert (kept["email"], kept["disabled_channels"], kept["updated_by"]) == (
        "sm12@example.cn",
        [],
        "admin1",
    )

    # Reloaded: the save with the current version goes through.
    again = await client.put(
        "/v1/preferences/me",
        json={
            "email": "sm12@example.cn",
            "disabled_channels": ["wecom"],
            "expected_updated_at": theirs.json()["updated_at"],
        },
        headers=SM12,
    )
    assert again.status_code == 200, again.text
    assert again.json()["disabled_channels"] == ["wecom"]


async def test_two_admins_saving_one_persons_preferences_the_second_is_refused(
    client: Any, clock: ManualClock
) -> None:
    made = await client.put("/v1/preferences/gl111", json={"quiet_hours": ""}, headers=ADMIN)
    read_at = made.json()["updated_at"]
    clock.advance(timedelta(seconds=30))
    first = await client.put(
        "/v1/preferences/gl111",
        json={"quiet_hours": "22:00-07:00", "expected_updated_at": read_at},
        headers=OTHER_ADMIN,
    )
    second = await client.put(
        "/v1/preferences/gl111",
        json={"quiet_hours": "23:00-06:00", "expected_updated_at": read_at},
        headers=ADMIN,
    )

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["updated_by"] == "admin2"
    stored = (await client.get("/v1/preferences/gl111", headers=ADMIN)).json()
    assert stored["quiet_hours"] == "22:00-07:00"


async def test_preferences_never_saved_or_sent_without_a_version_are_saved(
    client: Any,
) -> None:
    """Nothing stored yet: nothing to conflict with; no version sent: the last save
    wins (a script, an import)."""
    first = await client.put(
        "/v1/preferences/me",
        json={"quiet_hours": "", "expected_updated_at": "2026-11-20T00:00:00+00:00"},
        headers=SM12,
    )
    unversioned = await client.put(
        "/v1/preferences/me", json={"quiet_hours": "22:00-07:00"}, headers=SM12
    )

    assert first.status_code == 200, first.text
    assert unversioned.status_code == 200


@pytest.mark.parametrize("expected", ["yesterday", "2026-11-28T10:00:00"])
async def test_a_version_that_is_not_an_aware_time_is_422(client: Any, expected: str) -> None:
    answer = await client.put(
        "/v1/preferences/me", json={"expected_updated_at": expected}, headers=SM12
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "expected_updated_at"]
