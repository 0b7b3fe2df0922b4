"""The public status (dispatch's events) and the expected date (escalation's clocks)
are one consumer group of intake's, so that a case's events of both topics polled
together share one transaction: one inbox insert and one commit where two groups paid
two (docs/benchmarks.md, "intake's projections in one group")."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from gridcase_events import envelope, payloads, topics
from gridcase_events.testing import eventually

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 21, 9, 31, tzinfo=UTC)


async def test_a_cases_status_and_expected_date_are_applied_by_one_group(
    client: Any, push: Any, ticket: Any, producer: Any, namespace: str, dispatch_event: Any, db: Any
) -> None:
    created = (await push(ticket())).json()
    ids = {"case_id": created["case_id"], "tracking_no": created["tracking_no"]}
    clock = envelope.build(
        payloads.SlaClockStarted(
            **ids,
            clock="resolution",
            started_at=AT,
            changed_at=AT,
            priority="normal",
            generation=1,
            due_at=AT + timedelta(days=7),
        ),
        subject=created["case_id"],
        source="escalation",
        tenant="510302",
        correlation_id="test-one-group",
        time=AT,
    )
    topic = topics.for_event(source="escalation", event_type=clock.type)
    await producer.send_and_wait(
        topics.qualify(namespace, topic), key=clock.subject.encode(), value=clock.to_bytes()
    )
    await dispatch_event(
        "case.routed",
        version=1,
        target="grid",
        method="point_in_polygon",
        grid_code="510302001001001",
        reason="in the grid's polygon",
        **ids,
    )

    async def dated() -> bool:
        status = await client.get(f"/v1/public/cases/{created['tracking_no']}")
        return status.json()["expected_at"] is not None

    await eventually(dated)
    status = (await client.get(f"/v1/public/cases/{created['tracking_no']}")).json()
    assert status["status"] == "routed"
    async with db.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT consumer, event_type FROM intake.inbox"
                    " WHERE event_type IN ('case.routed', 'sla.clock_started') ORDER BY 2"
                )
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("intake-status", "case.routed"),
        ("intake-status", "sla.clock_started"),
    ]
