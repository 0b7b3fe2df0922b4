"""The deadlines projection over the real broker: escalation's clock events, and the
case events that stop a clock, put the running deadline and its state on the row."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from gridcase_events import envelope, payloads, topics
from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import bearer, eventually

pytestmark = pytest.mark.integration

DISPATCHER = bearer("dp1", "dispatcher", "510302")
GM111A = bearer("gm111a", "grid_member", "510302001001001")


@pytest.fixture
def escalation(
    producer: AIOKafkaProducer, namespace: str, clock: ManualClock
) -> Callable[..., Any]:
    """Publishes an event as escalation would."""

    async def publish(payload: BaseModel, case_id: UUID) -> None:
        event = envelope.build(
            payload,
            subject=str(case_id),
            source="escalation",
            tenant="510302",
            correlation_id=f"corr-{case_id}",
            time=clock.now(),
        )
        topic = topics.qualify(namespace, topics.ESCALATION)
        await (await producer.send(topic, key=str(case_id).encode(), value=event.to_bytes()))

    return publish


async def _row(client: Any, case: dict[str, Any], **expect: Any) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        body = (
            await client.get(
                "/v1/cases", params={"tracking_no": case["tracking_no"]}, headers=DISPATCHER
            )
        ).json()
        row: dict[str, Any] = body["items"][0]
        return row if all(row[k] == v for k, v in expect.items()) else None

    result: dict[str, Any] = await eventually(check)
    return result


async def test_the_row_follows_the_clocks(
    client: Any, new_case: Any, escalation: Any, clock: ManualClock
) -> None:
    case = await new_case()
    case_id = UUID(case["id"])
    now = clock.now()
    common = {
        "case_id": case_id,
        "tracking_no": case["tracking_no"],
        "generation": 1,
        "started_at": now,
        "priority": "normal",
    }
    sign_due, resolve_due = now + timedelta(minutes=30), now + timedelta(days=7)
    await escalation(
        payloads.SlaClockStarted(**common, clock="resolution", due_at=resolve_due, changed_at=now),
        case_id,
    )
    await escalation(
        payloads.SlaClockStarted(**common, clock="sign_for", due_at=sign_due, changed_at=now),
        case_id,
    )
    row = await _row(client, case, due_clock="sign_for")
    assert row["sla"] == "green"

    fired = {**common, "clock": "sign_for", "due_at": sign_due, "late_seconds": 0}
    await escalation(payloads.SlaWarning(**fired, percent=80, fired_at=now), case_id)
    await _row(client, case, due_clock="sign_for", sla="red")

    clock.advance(timedelta(minutes=10))
    accepted = await client.post(f"/v1/cases/{case_id}/accept", headers=GM111A)
    assert accepted.status_code == 200, accepted.text

    row = await _row(client, case, due_clock="resolution")
    assert (row["status"], row["sla"]) == ("accepted", "green")

    clock.advance(timedelta(days=8))  # past the resolution deadline, before escalation says so
    row = await _row(client, case, due_clock="resolution")
    assert row["sla"] == "breached"
    breached = (
        await client.get("/v1/cases", params={"sla": "breached"}, headers=DISPATCHER)
    ).json()
    assert [r["id"] for r in breached["items"]] == [case["id"]]


async def test_a_stop_that_overtakes_the_start_still_stops_the_clock(
    client: Any, new_case: Any, escalation: Any, clock: ManualClock
) -> None:
    case = await new_case()
    case_id = UUID(case["id"])
    started = clock.now()
    clock.advance(timedelta(minutes=5))
    assert (await client.post(f"/v1/cases/{case_id}/accept", headers=GM111A)).status_code == 200
    await _row(client, case, status="accepted")

    # escalation's announcement of the sign-for clock arrives after the acceptance
    await escalation(
        payloads.SlaClockStarted(
            case_id=case_id,
            tracking_no=case["tracking_no"],
            clock="sign_for",
            generation=1,
            started_at=started,
            due_at=started + timedelta(minutes=30),
            changed_at=started,
            priority="normal",
        ),
        case_id,
    )
    marker_due = started + timedelta(days=7)
    await escalation(
        payloads.SlaClockStarted(
            case_id=case_id,
            tracking_no=case["tracking_no"],
            clock="resolution",
            generation=1,
            started_at=started,
            due_at=marker_due,
            changed_at=started,
            priority="normal",
        ),
        case_id,
    )

    row = await _row(client, case, due_clock="resolution")
    assert datetime.fromisoformat(row["due_at"]) == marker_due
