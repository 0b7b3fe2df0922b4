"""Patrol compliance and household visits in the assessment (网格员考核), from intake's
``patrol.ended`` and ``visit.recorded`` fed through Kafka into escalation's consumers.

November 2026, assessed on Monday the 23rd: its working days are the 21 weekdays (no
holiday in November), 15 of them over (the 2nd–6th, 9th–13th, 16th–20th). The visit
target so far is 30 × 15 / 21 = 21.4 → 21. Weights: patrol compliance 0.6, visits 0.4,
the case components 0 — every score below is worked by hand from docs/reports.md."""

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from gridcase_events import envelope, payloads
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

NOW = datetime.fromisoformat("2026-11-23T09:00:00+08:00")
K1 = "510302001001"
G1, G2 = K1 + "001", K1 + "002"
OPS = bearer("ops1", "ops", "510302")
WEIGHTS = {
    "on_time_sign_for": 0.0,
    "on_time_resolution": 0.0,
    "no_return": 0.0,
    "no_reopening": 0.0,
    "satisfaction": 0.0,
    "patrol_compliance": 0.6,
    "visits": 0.4,
}


def patrol(
    member: str, day: int, minutes: int, *, grid: str = G1, role: str = "grid_member"
) -> payloads.PatrolEnded:
    """A session started at 09:00 local on 2026-11-<day>, as intake judges it."""
    started = datetime.fromisoformat(f"2026-11-{day:02d}T09:00:00+08:00")
    return payloads.PatrolEnded(
        session_id=envelope.new_id(),
        staff_id=member,
        staff_role=role,  # type: ignore[arg-type]
        grid_code=grid,
        started_at=started,
        ended_at=started + timedelta(minutes=minutes),
        minutes=minutes,
        day=date(2026, 11, day),
        qualifying=minutes >= 60,
        min_sessions_per_day=2,
        min_session_minutes=60,
    )


def visit(member: str, at: str, *, grid: str = G1) -> payloads.VisitRecorded:
    return payloads.VisitRecorded(
        visit_id=envelope.new_id(),
        staff_id=member,
        staff_role="grid_member",
        grid_code=grid,
        visited_at=datetime.fromisoformat(at),
    )


def one_case(member: str, grid: str) -> list[Any]:
    """A case assigned to the member and signed for: one case, so a rank."""
    case_id = envelope.new_id()
    ref = {
        "case_id": case_id,
        "tracking_no": f"GC-20261120-{member}",
        "category_code": "environment/garbage-overflow",
        "priority": "normal",
        "channel": "hotline",
    }
    at = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
    return [
        payloads.CaseAssigned(
            **ref,
            case_version=2,
            assignee_id=member,
            assignee_role="grid_member",
            post="A",
            reason="A post",
            grid_code=grid,
            summary="垃圾满溢",
            assigned_at=at,
        ),
        payloads.CaseAccepted(
            **ref,
            case_version=3,
            actor_id=member,
            actor_role="grid_member",
            at=at + timedelta(minutes=10),
            grid_code=grid,
            assignee_id=member,
        ),
    ]


def field_events() -> list[Any]:
    return [
        # gm1: the 2nd met (70 + 65 min); the 3rd not (one of 50 min); Saturday the 7th
        # is no working day; the 20th met, in two grids of the community; today (the
        # 23rd) is not over yet. 2 of 15 days.
        patrol("gm1", 2, 70),
        patrol("gm1", 2, 65),
        patrol("gm1", 3, 61),
        patrol("gm1", 3, 50),
        patrol("gm1", 7, 90),
        patrol("gm1", 7, 90),
        patrol("gm1", 20, 60),
        patrol("gm1", 20, 75, grid=G2),
        patrol("gm1", 23, 80),
        patrol("gm1", 23, 80),
        # a grid leader patrols too, but is not assessed
        patrol("gl1", 2, 90, role="grid_leader"),
        patrol("gl1", 2, 90, role="grid_leader"),
        # gm1: three visits in November, one on the night of 31 October (not counted)
        visit("gm1", "2026-11-02T10:00:00+08:00"),
        visit("gm1", "2026-11-12T15:00:00+08:00"),
        visit("gm1", "2026-11-22T23:50:00+08:00"),
        visit("gm1", "2026-10-31T23:50:00+08:00"),
        # gm2: 25 visits, beyond the target of 21 so far; no patrols
        *(visit("gm2", f"2026-11-{day:02d}T10:00:00+08:00", grid=G2) for day in range(2, 27)),
    ]


async def feed(publish: Any) -> list[Any]:
    sent = []
    for p in field_events():
        subject = str(p.session_id if isinstance(p, payloads.PatrolEnded) else p.visit_id)
        sent.append(await publish(p, source="intake", subject=subject, at=NOW))
    # A redelivery of gm1's first session and of its first visit: counted once.
    sent.append(await publish(event=sent[0]))
    sent.append(await publish(event=sent[12]))
    for p in [*one_case("gm1", G1), *one_case("gm2", G2)]:
        sent.append(await publish(p))
    return sent


@pytest.fixture(scope="module")
async def assessed(assessed_service: Any) -> AsyncIterator[Any]:
    async with assessed_service(
        now=NOW,
        feed=feed,
        assessment_weights=WEIGHTS,
        assessment_min_sample=1,
        assessment_review_bottom=1,
    ) as client:
        yield client


def members(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (community,) = body["communities"]
    assert community["community_code"] == K1
    return {m["member_id"]: m for m in community["members"]}


def component(member: dict[str, Any], name: str) -> tuple[float | None, int, int]:
    (c,) = [c for c in member["components"] if c["name"] == name]
    return c["value"], c["numerator"], c["sample"]


async def test_patrol_days_and_visits_are_scored_against_the_working_days(
    assessed: Any,
) -> None:
    response = await assessed.get(
        "/v1/reports/assessment", params={"month": "2026-11"}, headers=OPS
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["working_days"], body["working_days_required"]) == (21, 15)
    assert (body["monthly_visits"], body["visits_target"]) == (30, 21)
    assert body["components_not_included"] == []
    found = members(body)
    assert list(found) == ["gm2", "gm1"]  # the grid leader is not assessed
    gm1, gm2 = found["gm1"], found["gm2"]
    assert component(gm1, "patrol_compliance") == (0.1333, 2, 15)
    assert component(gm1, "visits") == (0.1429, 3, 21)
    assert gm1["visits"] == 3
    # 100 × (0.6 × 2/15 + 0.4 × 3/21) = 13.71 → 13.7
    assert (gm1["score"], gm1["rank"], gm1["review"]) == (13.7, 2, True)
    # no patrols: 0 of 15 days; 25 visits count as the target: 100 × (0 + 0.4 × 1) = 40.0
    assert component(gm2, "patrol_compliance") == (0.0, 0, 15)
    assert component(gm2, "visits") == (1.0, 21, 21)
    assert gm2["visits"] == 25
    assert (gm2["score"], gm2["rank"], gm2["review"]) == (40.0, 1, False)


async def test_a_month_not_yet_begun_has_no_patrol_or_visit_sample(assessed: Any) -> None:
    response = await assessed.get(
        "/v1/reports/assessment", params={"month": "2026-12"}, headers=OPS
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["working_days_required"], body["visits_target"]) == (0, 0)
    assert body["communities"] == []
