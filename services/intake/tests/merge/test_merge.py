"""Duplicate merge through the hotline push, against the real broker and database."""

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from gridcase_events import topics
from gridcase_events.testing import read_topic
from intake.merge.service import distance_m

pytestmark = pytest.mark.integration

LAT, LON = 29.355, 104.7725  # 桂花社区一网格
METRES_PER_DEGREE_LAT = 111_195.0


def north(metres: float) -> float:
    return LAT + metres / METRES_PER_DEGREE_LAT


async def _events(kafka_bootstrap: str, namespace: str, count: int) -> list[dict[str, Any]]:
    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=count
    )
    return [json.loads(r.value) for r in records]


async def test_a_report_50_m_from_an_open_case_is_merged_into_it(
    push: Any, ticket: Any, client: Any, kafka_bootstrap: str, namespace: str
) -> None:
    assert distance_m(LAT, LON, north(50), LON) == pytest.approx(50, abs=0.5)
    first = (await push(ticket(ticket_no="M-1"))).json()

    response = await push(ticket(ticket_no="M-2", lat=north(50), caller_phone="13800001111"))

    assert response.status_code == 201
    merged = response.json()
    assert merged["merged_into"] == first["tracking_no"]
    assert merged["case_id"] != first["case_id"]
    assert merged["tracking_no"] != first["tracking_no"]
    assert "merged_into" not in first

    events = await _events(kafka_bootstrap, namespace, 2)
    by_case = {e["subject"]: e for e in events}
    assert by_case[first["case_id"]]["type"] == "case.reported"
    # Not case.reported: dispatch must not dispatch the duplicate again.
    event = by_case[merged["case_id"]]
    assert event["type"] == "case.merged"
    assert event["data"]["duplicate_of"] == first["case_id"]
    assert event["data"]["duplicate_of_tracking_no"] == first["tracking_no"]
    assert event["data"]["tracking_no"] == merged["tracking_no"]
    assert event["data"]["distance_m"] == pytest.approx(50, abs=1)
    assert event["data"]["reporter"]["phone_masked"] == "138****1111"
    assert [e["type"] for e in events].count("case.reported") == 1

    status = (await client.get(f"/v1/public/cases/{merged['tracking_no']}")).json()
    assert status["merged_into"] == first["tracking_no"]
    assert status["tracking_no"] == merged["tracking_no"]


async def test_a_report_300_m_away_is_a_new_case(
    push: Any, ticket: Any, kafka_bootstrap: str, namespace: str
) -> None:
    await push(ticket(ticket_no="F-1"))

    response = await push(ticket(ticket_no="F-2", lat=north(300), address=None))

    assert response.status_code == 201
    assert "merged_into" not in response.json()
    events = await _events(kafka_bootstrap, namespace, 2)
    assert [e["type"] for e in events] == ["case.reported", "case.reported"]


async def test_the_same_address_written_differently_is_merged(push: Any, ticket: Any) -> None:
    first = (
        await push(
            ticket(ticket_no="A-1", lat=None, lon=None, address="示范区东城街道桂花路1号1栋")
        )
    ).json()

    second = await push(
        ticket(ticket_no="A-2", lat=None, lon=None, address=" 示范区 东城街道 桂花路１号１幢 ")
    )
    other = await push(
        ticket(ticket_no="A-3", lat=None, lon=None, address="示范区东城街道桂花路1号2栋")
    )

    assert second.json()["merged_into"] == first["tracking_no"]
    assert "merged_into" not in other.json()


async def test_a_different_category_at_the_same_place_is_a_new_case(push: Any, ticket: Any) -> None:
    await push(ticket(ticket_no="C-1"))

    response = await push(ticket(ticket_no="C-2", category_hint="neighbour/noise-dispute"))

    assert response.status_code == 201
    assert "merged_into" not in response.json()


async def test_the_category_hint_is_compared_loosely(push: Any, ticket: Any) -> None:
    first = (await push(ticket(ticket_no="H-1"))).json()

    response = await push(ticket(ticket_no="H-2", category_hint=" Environment/Garbage-Overflow"))

    assert response.json()["merged_into"] == first["tracking_no"]


async def test_a_closed_first_case_takes_no_duplicates(
    push: Any, ticket: Any, dispatch_event: Any
) -> None:
    first = (await push(ticket(ticket_no="X-1"))).json()
    await dispatch_event(
        "case.closed", case_id=first["case_id"], tracking_no=first["tracking_no"], version=6
    )

    response = await push(ticket(ticket_no="X-2", lat=north(20)))

    assert response.status_code == 201
    assert "merged_into" not in response.json()


async def test_reports_outside_the_window_are_new_cases(push: Any, ticket: Any, clock: Any) -> None:
    first = (await push(ticket(ticket_no="W-1"))).json()
    received = datetime.fromisoformat(ticket()["received_at"])

    def later(hours: int) -> str:
        return (received + timedelta(hours=hours)).isoformat()

    clock.advance(timedelta(hours=71))
    within = await push(ticket(ticket_no="W-2", received_at=later(71)))
    clock.advance(timedelta(hours=2))
    outside = await push(ticket(ticket_no="W-3", received_at=later(73)))

    assert within.json()["merged_into"] == first["tracking_no"]
    # 73 h after the first; and the one at 71 h, itself a duplicate, takes none.
    assert "merged_into" not in outside.json()


async def test_a_duplicate_follows_the_progress_of_the_case_it_joined(
    push: Any, ticket: Any, client: Any, dispatch_event: Any
) -> None:
    first = (await push(ticket(ticket_no="P-1"))).json()
    merged = (await push(ticket(ticket_no="P-2", lat=north(30)))).json()

    await dispatch_event(
        "case.accepted",
        case_id=first["case_id"],
        tracking_no=first["tracking_no"],
        version=3,
        assignee_id="gm111a",
    )

    status = (await client.get(f"/v1/public/cases/{merged['tracking_no']}")).json()
    assert status["status"] == "accepted"
    assert status["merged_into"] == first["tracking_no"]


async def test_a_repeated_merged_ticket_answers_200_with_the_same_merge(
    push: Any, ticket: Any
) -> None:
    first = (await push(ticket(ticket_no="R-1"))).json()
    merged = await push(ticket(ticket_no="R-2", lat=north(40)))

    again = await push(ticket(ticket_no="R-2", lat=north(40)))

    assert again.status_code == 200
    assert again.json() == merged.json()
    assert again.json()["merged_into"] == first["tracking_no"]


async def test_near_simultaneous_duplicates_make_exactly_one_first_case(
    push: Any, ticket: Any, db: Any
) -> None:
    responses = await asyncio.gather(
        *(push(ticket(ticket_no=f"SIM-{i}", lat=north(i * 5))) for i in range(10))
    )

    assert [r.status_code for r in responses] == [201] * 10
    bodies = [r.json() for r in responses]
    primaries = [b for b in bodies if "merged_into" not in b]
    assert len(primaries) == 1
    assert {b["merged_into"] for b in bodies if b is not primaries[0]} == {
        primaries[0]["tracking_no"]
    }
    async with db.connect() as conn:
        types = (
            await conn.execute(text("SELECT event_type, count(*) FROM intake.outbox GROUP BY 1"))
        ).all()
    assert dict(types) == {"case.reported": 1, "case.merged": 9}


@pytest.mark.parametrize("settings_overrides", [{"merge_enabled": False}])
async def test_with_merging_turned_off_every_report_is_a_new_case(
    push: Any, ticket: Any, db: Any
) -> None:
    await push(ticket(ticket_no="OFF-1"))

    response = await push(ticket(ticket_no="OFF-2", lat=north(10)))

    assert "merged_into" not in response.json()
    async with db.connect() as conn:
        count = (
            await conn.execute(
                text("SELECT count(*) FROM intake.outbox WHERE event_type = 'case.reported'")
            )
        ).scalar_one()
    assert count == 2


@pytest.mark.parametrize("settings_overrides", [{"merge_distance_m": 500}])
async def test_the_merge_distance_is_a_setting(push: Any, ticket: Any) -> None:
    first = (await push(ticket(ticket_no="D-1"))).json()

    response = await push(ticket(ticket_no="D-2", lat=north(300), address=None))

    assert response.json()["merged_into"] == first["tracking_no"]
