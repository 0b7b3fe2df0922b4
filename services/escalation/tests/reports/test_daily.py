"""A station master's daily summary, with the real timers firing breaches, escalations
and a yellow card as the (injected) clock moves on a week."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from gridcase_events import envelope, payloads
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-23T09:00:00+08:00")  # Monday
MIN, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
GRID = "510302001001001"
COMMUNITY = "510302001001"
STATION = bearer("sm11", "station_master", COMMUNITY)
ADMIN = bearer("admin1", "admin", "510302")


def ref(case_id: Any, tracking_no: str, version: int) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "tracking_no": tracking_no,
        "category_code": "environment/garbage-overflow",
        "priority": "normal",
        "channel": "hotline",
        "case_version": version,
    }


def events(case_id: Any, tracking_no: str, *, done: bool) -> list[Any]:
    """Received 08:50 and assigned 09:00 on Monday 23 November; `done`: accepted,
    contacted, resolved, closed and evaluated that day (every clock stopped)."""
    out: list[Any] = [
        payloads.CaseReported(
            case_id=case_id,
            tracking_no=tracking_no,
            channel="hotline",
            reported_at=T0 - 10 * MIN,
            content="垃圾满溢",
            priority="normal",
        ),
        payloads.CaseAssigned(
            **ref(case_id, tracking_no, 2),
            assignee_id="gm111a",
            assignee_role="grid_member",
            post="A",
            reason="A post",
            grid_code=GRID,
            summary="垃圾满溢",
            assigned_at=T0,
        ),
    ]
    if not done:
        return out
    steps: list[tuple[type, timedelta, dict[str, Any]]] = [
        (payloads.CaseAccepted, 30 * MIN, {}),
        (payloads.CaseContacted, 40 * MIN, {}),
        (payloads.CaseResolved, 5 * HOUR, {"note": "清运"}),
        (payloads.CaseClosed, 6 * HOUR, {}),
        (payloads.CaseEvaluated, 7 * HOUR, {"satisfaction": "satisfied", "resolved": True}),
    ]
    for version, (kind, after, extra) in enumerate(steps, start=3):
        out.append(
            kind(
                **ref(case_id, tracking_no, version),
                actor_id="gm111a",
                actor_role="grid_member",
                at=T0 + after,
                grid_code=GRID,
                assignee_id="gm111a",
                **extra,
            )
        )
    return out


@pytest.fixture
async def a_week_on(client: Any, clock: Any, publish: Any, processed: Any) -> dict[str, Any]:
    """Two cases of one community: one done on its first day, one never accepted; then
    a week passes (one rung on the ladder, so that each breach escalates once)."""
    ladder = await client.put(
        "/v1/ladder",
        json=[{"unit": "grid", "level": 1, "role": "grid_leader", "delay_minutes": 0}],
        headers=ADMIN,
    )
    assert ladder.status_code == 200
    done, stuck = envelope.new_id(), envelope.new_id()
    sent = []
    for event in [*events(done, "GC-DONE", done=True), *events(stuck, "GC-STUCK", done=False)]:
        source = "intake" if isinstance(event, payloads.CaseReported) else "dispatch"
        sent.append(await publish(event, source=source))
    await processed([e.id for e in sent])
    # Monday 30 November 11:00: the stuck case's sign-for (23 Nov 11:00) and resolution
    # (30 Nov 09:00) deadlines have passed.
    clock.set(T0 + 7 * DAY + 2 * HOUR)
    await processed([], {"case.escalated": 2, "supervision.issued": 1})
    return {"done": done, "stuck": stuck}


async def test_the_first_day_counts_what_came_in_and_moved(client: Any, a_week_on: Any) -> None:
    response = await client.get(
        "/v1/reports/daily", params={"date": "2026-11-23", "community": COMMUNITY}, headers=STATION
    )

    assert response.status_code == 200
    day = response.json()
    assert (day["new"], day["accepted"], day["resolved"], day["closed"]) == (2, 1, 1, 1)
    assert day["overdue"] == []  # at the day's end nothing was past its 7-day deadline
    assert [(b["tracking_no"], b["clock"]) for b in day["breaches"]] == [("GC-STUCK", "sign_for")]
    assert day["escalations"] == []  # the ladder moved only when the clock did, a week later
    assert datetime.fromisoformat(day["as_of"]) == T0 + 15 * HOUR  # midnight local


async def test_a_week_later_the_stuck_case_is_overdue_breached_and_escalated(
    client: Any, a_week_on: Any
) -> None:
    response = await client.get(
        "/v1/reports/daily", params={"date": "2026-11-30", "community": COMMUNITY}, headers=STATION
    )

    day = response.json()
    assert (day["new"], day["accepted"], day["resolved"], day["closed"]) == (0, 0, 0, 0)
    [overdue] = day["overdue"]
    assert overdue["tracking_no"] == "GC-STUCK"
    assert datetime.fromisoformat(overdue["due_at"]) == T0 + 7 * DAY
    assert overdue["overdue_seconds"] == 2 * 3600  # 11:00 − 09:00
    assert [(b["tracking_no"], b["clock"]) for b in day["breaches"]] == [("GC-STUCK", "resolution")]
    assert sorted((e["clock"], e["level"], e["target_role"]) for e in day["escalations"]) == [
        ("resolution", 1, "grid_leader"),
        ("sign_for", 1, "grid_leader"),
    ]


async def test_the_yellow_card_counts_against_the_case_in_the_rates(
    client: Any, a_week_on: Any
) -> None:
    response = await client.get(
        "/v1/reports/rates",
        params={"level": "community", "from": "2026-11-23", "to": "2026-11-23"},
        headers=STATION,
    )

    [row] = response.json()["rows"]
    assert (row["unit_code"], row["supervision_yellow"], row["supervision_orders"]) == (
        COMMUNITY,
        1,
        1,
    )
    assert (row["received"], row["accepted_in_time"], row["response_rate"]) == (2, 1, 0.5)


@pytest.mark.parametrize(
    ("headers", "community", "status"),
    [
        (bearer("sm12", "station_master", "510302001002"), COMMUNITY, 403),
        (bearer("gl111", "grid_leader", GRID), COMMUNITY, 403),
        (bearer("water1", "department_operator", department_code="water"), COMMUNITY, 403),
        (bearer("so1", "street_officer", "510302001"), COMMUNITY, 200),
        (bearer("dc1", "district_center", "510302"), COMMUNITY, 200),
        (STATION, "5103020010", 422),
    ],
)
async def test_the_daily_summary_is_for_the_communitys_supervisors(
    shared_client: Any, headers: dict[str, str], community: str, status: int
) -> None:
    response = await shared_client.get(
        "/v1/reports/daily", params={"date": "2026-11-23", "community": community}, headers=headers
    )

    assert response.status_code == status
