"""Patrols end to end, against the real broker and database."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

COMMUNITY = "510302001002"
GRID = "510302001002003"
OTHER_GRID = "510302001002004"
MEMBER = bearer("m-1", "grid_member", GRID)
REPORT = {
    "point": {"lat": 29.356, "lon": 104.771},
    "category_hint": "environment/garbage-overflow",
    "description": "垃圾桶满溢",
}


def at(hhmm: str, day: int = 21) -> datetime:
    """A time in UTC on 2026-11-<day>."""
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


async def _count(db: Any, sql: str) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def _patrol(intake: Any, clock: Any, start: datetime, end: datetime, who: Any) -> str:
    clock.set(start)
    started = await intake.post("/v1/patrols", json={}, headers=who)
    assert started.status_code == 201, started.text
    clock.set(end)
    patrol_id = str(started.json()["id"])
    assert (await intake.post(f"/v1/patrols/{patrol_id}/end", headers=who)).status_code == 200
    return patrol_id


async def test_patrol_start_report_end_and_the_days_compliance(
    intake: Any, clock: Any, intake_events: Any, db: Any
) -> None:
    # 09:00 Beijing time (01:00 UTC): the day is 2026-11-21 in Asia/Shanghai.
    clock.set(at("01:00"))
    started = await intake.post("/v1/patrols", headers=MEMBER)
    assert started.status_code == 201
    patrol = started.json()
    assert patrol["grid_code"] == GRID
    assert patrol["started_at"] == "2026-11-21T01:00:00Z"

    clock.set(at("01:20"))
    reported = await intake.post(f"/v1/patrols/{patrol['id']}/reports", json=REPORT, headers=MEMBER)
    assert reported.status_code == 201
    clock.set(at("02:10"))
    ended = await intake.post(f"/v1/patrols/{patrol['id']}/end", headers=MEMBER)
    assert ended.status_code == 200
    assert (ended.json()["minutes"], ended.json()["reports"]) == (70, 1)

    await _patrol(intake, clock, at("06:00"), at("06:50"), MEMBER)  # 50 min: too short
    await _patrol(intake, clock, at("08:00"), at("09:05"), MEMBER)  # 65 min
    other = bearer("m-2", "grid_member", OTHER_GRID)
    await _patrol(intake, clock, at("02:00"), at("03:00"), other)  # 60 min, only one
    # 23:30 Beijing time on the 21st is 15:30 UTC; 00:30 on the 22nd is 16:30 UTC.
    await _patrol(intake, clock, at("16:30"), at("17:45"), other)  # counts for the 22nd

    response = await intake.get(
        "/v1/patrols/compliance",
        params={"area_code": COMMUNITY, "from": "2026-11-21", "to": "2026-11-22"},
        headers=bearer("sm-1", "station_master", COMMUNITY),
    )

    assert response.status_code == 200
    body = response.json()
    assert body["practice"] == {"min_sessions_per_day": 2, "min_session_minutes": 60}
    assert (body["from"], body["to"], body["timezone"]) == (
        "2026-11-21",
        "2026-11-22",
        "Asia/Shanghai",
    )
    assert body["days"] == [
        {
            "grid_code": GRID,
            "date": "2026-11-21",
            "sessions": 3,
            "minutes": 70 + 50 + 65,
            "qualifying_sessions": 2,
            "met": True,
        },
        {
            "grid_code": OTHER_GRID,
            "date": "2026-11-21",
            "sessions": 1,
            "minutes": 60,
            "qualifying_sessions": 1,
            "met": False,
        },
        {
            "grid_code": OTHER_GRID,
            "date": "2026-11-22",
            "sessions": 1,
            "minutes": 75,
            "qualifying_sessions": 1,
            "met": False,
        },
    ]
    events = await intake_events(6)  # the case, and the five sessions' ends
    (case,) = [e for e in events if e["type"] == "case.reported"]
    assert case["data"]["channel"] == "patrol"
    assert case["data"]["location"] == REPORT["point"]
    assert case["data"]["reported_at"].startswith("2026-11-21T01:20:00")
    ended = sorted(
        (e["data"] for e in events if e["type"] == "patrol.ended"),
        key=lambda d: (d["staff_id"], d["started_at"]),
    )
    # What escalation's assessment counts: the local day, the length, and the practice.
    assert [(d["staff_id"], d["day"], d["minutes"], d["qualifying"]) for d in ended] == [
        ("m-1", "2026-11-21", 70, True),
        ("m-1", "2026-11-21", 50, False),
        ("m-1", "2026-11-21", 65, True),
        ("m-2", "2026-11-21", 60, True),
        ("m-2", "2026-11-22", 75, True),
    ]
    assert (ended[0]["session_id"], ended[0]["staff_role"]) == (patrol["id"], "grid_member")
    assert (ended[0]["min_sessions_per_day"], ended[0]["min_session_minutes"]) == (2, 60)
    assert {e["subject"] for e in events if e["type"] == "patrol.ended"} == {
        d["session_id"] for d in ended
    }
    assert await _count(db, "SELECT count(*) FROM intake.patrol_reports") == 1


async def test_report_outside_an_open_session_is_409(intake: Any, clock: Any, db: Any) -> None:
    patrol_id = await _patrol(intake, clock, at("01:00"), at("02:00"), MEMBER)

    response = await intake.post(f"/v1/patrols/{patrol_id}/reports", json=REPORT, headers=MEMBER)
    ended_again = await intake.post(f"/v1/patrols/{patrol_id}/end", headers=MEMBER)

    assert response.status_code == 409
    assert "ended" in response.json()["detail"]
    assert ended_again.status_code == 409
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 0
    ended_events = "SELECT count(*) FROM intake.outbox WHERE event_type = 'patrol.ended'"
    assert await _count(db, ended_events) == 1  # the refused second end announced nothing


async def test_another_grid_or_another_persons_session_is_403(intake: Any) -> None:
    elsewhere = await intake.post("/v1/patrols", json={"grid_code": OTHER_GRID}, headers=MEMBER)
    patrol = (await intake.post("/v1/patrols", headers=MEMBER)).json()
    colleague = bearer("m-3", "grid_member", GRID)
    theirs = await intake.post(
        f"/v1/patrols/{patrol['id']}/reports", json=REPORT, headers=colleague
    )
    end_theirs = await intake.post(f"/v1/patrols/{patrol['id']}/end", headers=colleague)
    officer = await intake.post("/v1/patrols", headers=bearer("o-1", "street_officer", "510302001"))

    assert elsewhere.status_code == 403
    assert OTHER_GRID in elsewhere.json()["detail"]
    assert theirs.status_code == 403
    assert end_theirs.status_code == 403
    assert officer.status_code == 403


async def test_one_open_session_at_a_time(intake: Any) -> None:
    first = await intake.post("/v1/patrols", headers=MEMBER)
    second = await intake.post("/v1/patrols", headers=MEMBER)

    assert first.status_code == 201
    assert second.status_code == 409
    assert first.json()["id"] in second.json()["detail"]


async def test_unknown_session_is_404_and_a_report_needs_a_point(intake: Any) -> None:
    unknown = await intake.post(
        "/v1/patrols/0190f0c0-0000-7000-8000-000000000000/reports", json=REPORT, headers=MEMBER
    )
    patrol = (await intake.post("/v1/patrols", headers=MEMBER)).json()
    pointless = await intake.post(
        f"/v1/patrols/{patrol['id']}/reports",
        json={"description": "x"},
        headers=MEMBER,
    )

    assert unknown.status_code == 404
    assert pointless.status_code == 422
    assert pointless.json()["detail"][0]["loc"] == ["body", "point"]


@pytest.mark.parametrize(
    ("who", "params", "status"),
    [
        (bearer("m-1", "grid_member", GRID), {}, 403),
        (bearer("sm-9", "station_master", "510302001009"), {"area_code": COMMUNITY}, 403),
        (bearer("o-1", "street_officer", "510302001"), {"area_code": COMMUNITY}, 200),
        (bearer("o-1", "street_officer", "510302001"), {}, 200),
        (bearer("ops-1", "ops"), {"area_code": COMMUNITY}, 200),
        (bearer("d-1", "dispatcher", "510302"), {}, 403),
        (bearer("l-1", "grid_leader", GRID), {"from": "2026-11-22", "to": "2026-11-21"}, 422),
    ],
)
async def test_compliance_is_scoped_to_the_callers_area(
    shared_intake: Any, who: Any, params: dict[str, str], status: int
) -> None:
    response = await shared_intake.get("/v1/patrols/compliance", params=params, headers=who)
    assert response.status_code == status, response.text


async def test_ten_concurrent_repeats_of_a_report_make_one_case(
    intake: Any, db: Any, intake_events: Any
) -> None:
    patrol = (await intake.post("/v1/patrols", headers=MEMBER)).json()
    url = f"/v1/patrols/{patrol['id']}/reports"
    headers = {**MEMBER, "Idempotency-Key": "report-0001"}

    responses = await asyncio.gather(
        *(intake.post(url, json=REPORT, headers=headers) for _ in range(10))
    )

    assert [r.status_code for r in responses] == [201] * 10
    assert len({r.json()["case_id"] for r in responses}) == 1
    assert len({r.content for r in responses}) == 1  # byte for byte
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 9
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 1
    assert await _count(db, "SELECT count(*) FROM intake.outbox") == 1
    assert len(await intake_events(1)) == 1


async def test_the_same_key_from_another_person_is_another_request(intake: Any, db: Any) -> None:
    colleague = bearer("m-3", "grid_member", GRID)
    key = {"Idempotency-Key": "shared-key"}
    mine = (await intake.post("/v1/patrols", headers=MEMBER)).json()
    theirs = (await intake.post("/v1/patrols", headers=colleague)).json()

    a = await intake.post(
        f"/v1/patrols/{mine['id']}/reports", json=REPORT, headers={**MEMBER, **key}
    )
    b = await intake.post(
        f"/v1/patrols/{theirs['id']}/reports", json=REPORT, headers={**colleague, **key}
    )

    assert a.status_code == b.status_code == 201
    assert a.json()["case_id"] != b.json()["case_id"]
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 2


@pytest.mark.parametrize("key", [b"", b"x" * 256, "clé".encode()])
async def test_malformed_idempotency_key_is_400(intake: Any, key: bytes) -> None:
    response = await intake.post("/v1/patrols", headers={**MEMBER, "Idempotency-Key": key})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [{"from": "9999-12-31"}, {"to": "0001-01-01"}, {"from": "9999-12-01", "to": "9999-12-31"}],
)
async def test_compliance_for_dates_out_of_range_is_422(
    intake: Any, params: dict[str, str]
) -> None:
    response = await intake.get(
        "/v1/patrols/compliance", params=params, headers=bearer("a-1", "admin")
    )

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["msg"] == "a date out of range"


async def test_a_station_master_lists_the_days_patrols_of_the_community(
    intake: Any, clock: Any
) -> None:
    first = await _patrol(intake, clock, at("01:00"), at("02:10"), MEMBER)
    other = bearer("m-2", "grid_member", OTHER_GRID)
    second = await _patrol(intake, clock, at("02:00"), at("03:00"), other)
    await _patrol(intake, clock, at("16:30"), at("17:45"), other)  # the 22nd in Shanghai
    elsewhere = bearer("m-9", "grid_member", "510302001009001")
    await _patrol(intake, clock, at("03:00"), at("04:00"), elsewhere)  # another community

    listed = await intake.get(
        "/v1/patrols",
        params={"area_code": COMMUNITY, "date": "2026-11-21"},
        headers=bearer("sm-1", "station_master", COMMUNITY),
    )
    outside = await intake.get(
        "/v1/patrols",
        params={"area_code": "510302001009"},
        headers=bearer("sm-1", "station_master", COMMUNITY),
    )
    member = await intake.get("/v1/patrols", headers=MEMBER)

    assert listed.status_code == 200, listed.text
    assert [(p["id"], p["staff_id"], p["grid_code"], p["minutes"]) for p in listed.json()] == [
        (first, "m-1", GRID, 70),
        (second, "m-2", OTHER_GRID, 60),
    ]
    assert (outside.status_code, member.status_code) == (403, 403)
