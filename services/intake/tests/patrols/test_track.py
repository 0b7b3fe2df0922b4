"""A patrol's GPS track end to end: batches sent (and resent), refused at the edge,
stored, and read back as GeoJSON by those who may."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

GRID = "510302001002003"
MEMBER = bearer("m-1", "grid_member", GRID)
START = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def point(minute: int, lat: float = 29.356, lon: float = 104.771) -> dict[str, Any]:
    return {
        "lat": lat + minute * 0.0003,
        "lon": lon,
        "at": (START + timedelta(minutes=minute)).isoformat(),
        "accuracy": 8.5,
    }


async def _started(intake: Any, clock: Any) -> str:
    clock.set(START)
    started = await intake.post("/v1/patrols", json={}, headers=MEMBER)
    assert started.status_code == 201, started.text
    return str(started.json()["id"])


async def _points(db: Any) -> int:
    async with db.connect() as conn:
        return int(
            (
                await conn.execute(text("SELECT count(*) FROM intake.patrol_track_points"))
            ).scalar_one()
        )


async def test_batches_make_one_track_and_a_resend_adds_nothing(
    intake: Any, clock: Any, db: Any
) -> None:
    patrol_id = await _started(intake, clock)
    clock.set(START + timedelta(minutes=10))
    first = {"batch_id": "web-batch-0001", "points": [point(0), point(1), point(2)]}
    sent = await intake.post(f"/v1/patrols/{patrol_id}/track", json=first, headers=MEMBER)
    assert sent.status_code == 200, sent.text
    assert sent.json() == {
        "batch_id": "web-batch-0001",
        "accepted": 3,
        "duplicate": False,
        "points": 3,
    }

    # The phone lost the answer and sends the batch again, twice at once.
    again = await asyncio.gather(
        *(
            intake.post(f"/v1/patrols/{patrol_id}/track", json=first, headers=MEMBER)
            for _ in range(3)
        )
    )
    assert [r.json()["duplicate"] for r in again] == [True, True, True]
    assert await _points(db) == 3

    # The session ends; a batch kept offline arrives afterwards, its points from before.
    clock.set(START + timedelta(minutes=70))
    assert (await intake.post(f"/v1/patrols/{patrol_id}/end", headers=MEMBER)).status_code == 200
    clock.set(START + timedelta(minutes=90))
    late = {"batch_id": "web-batch-0002", "points": [point(5), point(4)]}
    sent = await intake.post(f"/v1/patrols/{patrol_id}/track", json=late, headers=MEMBER)
    assert (sent.status_code, sent.json()["points"]) == (200, 5)

    track = await intake.get(f"/v1/patrols/{patrol_id}/track", headers=MEMBER)
    assert track.status_code == 200
    feature = track.json()
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "LineString"
    # In the order taken (minute 4 before 5, though sent after), [lon, lat].
    assert feature["geometry"]["coordinates"] == [
        [104.771, pytest.approx(29.356 + m * 0.0003)] for m in range(6) if m != 3
    ]
    assert feature["properties"]["points"] == 5
    assert feature["properties"]["times"][0] == "2026-11-21T01:00:00Z"
    assert feature["properties"]["ended_at"] == "2026-11-21T02:10:00Z"


async def test_a_batch_id_reused_with_other_points_is_409(intake: Any, clock: Any) -> None:
    patrol_id = await _started(intake, clock)
    clock.set(START + timedelta(minutes=5))
    url = f"/v1/patrols/{patrol_id}/track"
    body = {"batch_id": "web-batch-0001", "points": [point(1)]}
    assert (await intake.post(url, json=body, headers=MEMBER)).status_code == 200
    other = {"batch_id": "web-batch-0001", "points": [point(2)]}
    refused = await intake.post(url, json=other, headers=MEMBER)
    assert refused.status_code == 409
    assert "already sent with other points" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"lat": 91}, ["body", "points", 1, "lat"]),
        ({"lon": -180.5}, ["body", "points", 1, "lon"]),
        ({"at": "2026-11-21T01:03:00"}, ["body", "points", 1, "at"]),  # no offset
        ({"at": "2026-11-21T00:50:00Z"}, ["body", "points", 1, "at"]),  # before the start
        ({"at": "2026-11-21T01:30:00Z"}, ["body", "points", 1, "at"]),  # after now
        ({"accuracy": -1}, ["body", "points", 1, "accuracy"]),
        ({"speed": 3}, ["body", "points", 1, "speed"]),
    ],
)
async def test_a_bad_point_is_a_precise_422_and_nothing_is_stored(
    intake: Any, clock: Any, db: Any, change: dict[str, Any], loc: list[Any]
) -> None:
    patrol_id = await _started(intake, clock)
    clock.set(START + timedelta(minutes=10))
    body = {"batch_id": "web-batch-0001", "points": [point(1), {**point(2), **change}]}
    refused = await intake.post(f"/v1/patrols/{patrol_id}/track", json=body, headers=MEMBER)
    assert refused.status_code == 422, refused.text
    assert [item["loc"] for item in refused.json()["detail"]] == [loc]
    assert await _points(db) == 0


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"batch_id": "web-batch-0001", "points": []}, ["body", "points"]),
        ({"batch_id": "web-batch-0001", "points": [point(1)] * 501}, ["body", "points"]),
        ({"batch_id": "short", "points": [point(1)]}, ["body", "batch_id"]),
        ({"batch_id": "web batch 0001", "points": [point(1)]}, ["body", "batch_id"]),
    ],
)
async def test_batch_size_and_id_are_checked(
    intake: Any, clock: Any, body: dict[str, Any], loc: list[Any]
) -> None:
    patrol_id = await _started(intake, clock)
    clock.set(START + timedelta(minutes=10))
    refused = await intake.post(f"/v1/patrols/{patrol_id}/track", json=body, headers=MEMBER)
    assert refused.status_code == 422
    assert [item["loc"] for item in refused.json()["detail"]] == [loc]


async def test_only_the_patroller_adds_and_the_area_reads(intake: Any, clock: Any) -> None:
    patrol_id = await _started(intake, clock)
    clock.set(START + timedelta(minutes=10))
    url = f"/v1/patrols/{patrol_id}/track"
    body = {"batch_id": "web-batch-0001", "points": [point(1), point(2)]}
    colleague = bearer("m-3", "grid_member", GRID)
    assert (await intake.post(url, json=body, headers=colleague)).status_code == 403
    missing = "/v1/patrols/00000000-0000-0000-0000-000000000000/track"
    assert (await intake.post(missing, json=body, headers=MEMBER)).status_code == 404
    assert (await intake.post(url, json=body, headers=MEMBER)).status_code == 200

    readers = [
        (bearer("sm-1", "station_master", "510302001002"), 200),
        (bearer("o-1", "street_officer", "510302001"), 200),
        (bearer("ops-1", "ops"), 200),
        (bearer("sm-9", "station_master", "510302001009"), 403),
        (bearer("d-1", "dispatcher", "510302"), 403),
        (colleague, 403),
    ]
    for who, status in readers:
        answer = await intake.get(url, headers=who)
        assert answer.status_code == status, (who, answer.text)
    assert (await intake.get(missing, headers=MEMBER)).status_code == 404


async def test_today_shows_my_sessions_against_the_practice(intake: Any, clock: Any) -> None:
    for start, end in ((START, START + timedelta(minutes=65)), (START + timedelta(hours=3), None)):
        clock.set(start)
        started = await intake.post("/v1/patrols", json={}, headers=MEMBER)
        report = {"point": {"lat": 29.356, "lon": 104.771}, "description": "井盖缺失"}
        await intake.post(
            f"/v1/patrols/{started.json()['id']}/reports", json=report, headers=MEMBER
        )
        if end is not None:
            clock.set(end)
            await intake.post(f"/v1/patrols/{started.json()['id']}/end", headers=MEMBER)
    clock.set(START + timedelta(hours=3, minutes=20))

    today = await intake.get("/v1/patrols/today", headers=MEMBER)

    assert today.status_code == 200
    body = today.json()
    assert (body["date"], body["qualifying_sessions"], body["met"]) == ("2026-11-21", 1, False)
    assert body["practice"] == {"min_sessions_per_day": 2, "min_session_minutes": 60}
    assert [(s["minutes"], s["reports"]) for s in body["sessions"]] == [(65, 1), (None, 1)]
    refused = await intake.get("/v1/patrols/today", headers=bearer("ops-1", "ops"))
    assert refused.status_code == 403
