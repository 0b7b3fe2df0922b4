"""An event's deliveries planned in one call (``notify.deliveries_planned``): the
recipient's lock, the check of the preferences they were decided with, the SMS counted
against the burst limit and the rows along. Two plans for one recipient still count
each other (two connections: the second, after waiting for the lock, sees what the
first committed), and a plan decided with preferences changed since writes nothing."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import envelope
from gridcase_events.kit.db import create_engine
from gridcase_events.testing import HttpSink, bearer, eventually
from notify.deliveries import repository

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
GM111A = bearer("gm111a", "grid_member", "510302001001001")


def sms(recipient: str = "staff:gm111a", channel: str = "sms") -> dict[str, Any]:
    event_id = envelope.new_id()
    return {
        "id": envelope.new_id(),
        "idempotency_key": f"{event_id}:{recipient}:{channel}",
        "trigger_event_id": event_id,
        "trigger_event_type": "case.assigned",
        "case_id": envelope.new_id(),
        "district_code": "510302",
        "correlation_id": "corr-race",
        "trace_context": None,
        "channel": channel,
        "recipient_id": recipient,
        "recipient_masked": "",
        "template": "case.assigned",
        "params": {"tracking_no": "GC-20261121-RACE01", "note": "楼道"},
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": AT,
        "planned_at": AT,
        "updated_at": AT,
        "last_error": None,
    }


async def test_two_plans_for_one_recipient_racing_count_each_other(
    client: Any, fresh_database: str
) -> None:
    engine = create_engine(fresh_database, pool_size=3)
    try:
        async with AsyncSession(engine) as first, AsyncSession(engine) as second:
            window = {"since": AT - timedelta(minutes=10), "limit": 1}  # one SMS a window
            mine, other = sms(), sms()
            planned, stale = await repository.plan_checked(
                first, expected={}, counted=mine, **window
            )
            assert (planned, stale) == ({mine["id"]}, None)  # the lock held, not committed
            racing = asyncio.create_task(
                repository.plan_checked(second, expected={}, counted=other, **window)
            )

            async def waiting() -> bool:
                async with engine.connect() as conn:
                    found = await conn.execute(
                        text(
                            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                            " AND NOT granted AND database = ("
                            " SELECT oid FROM pg_database WHERE datname = current_database())"
                        )
                    )
                    return found.first() is not None

            await eventually(waiting)  # the second plan waits for the recipient's lock
            await first.commit()
            # counted after the lock was granted: it sees the first SMS, over the limit
            assert await racing == (set(), None)
            await second.commit()
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT id FROM notify.deliveries WHERE recipient_id = 'staff:gm111a'")
            )
            assert rows.scalars().all() == [mine["id"]]
    finally:
        await engine.dispose()


async def test_a_plan_decided_with_preferences_changed_since_writes_nothing(
    client: Any, fresh_database: str
) -> None:
    put = await client.put(
        "/v1/preferences/me", json={"disabled_channels": ["sms"]}, headers=GM111A
    )
    assert put.status_code == 200
    engine = create_engine(fresh_database, pool_size=1)
    try:
        async with AsyncSession(engine) as session:
            inapp = sms(channel="inapp")
            planned, stored = await repository.plan_checked(
                session,
                expected={"gm111a": None},  # decided as if none were stored
                counted=sms(),
                since=AT - timedelta(minutes=10),
                limit=5,
                along=[inapp],
            )
            assert planned == set()
            assert stored == {
                "gm111a": {"disabled_channels": ["sms"], "email": None, "quiet_hours": None}
            }
            expected = {"gm111a": stored["gm111a"]}
            planned, stored = await repository.plan_checked(
                session, expected=expected, along=[inapp]
            )
            assert (planned, stored) == ({inapp["id"]}, None)
            await session.commit()
    finally:
        await engine.dispose()


def settled(items: list[dict[str, Any]]) -> bool:
    return len(items) == 2 and all(i["status"] not in ("pending", "sending") for i in items)


async def test_preferences_saved_after_an_assignment_apply_to_the_next_one(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink
) -> None:
    await staff()
    before = await assigned(tracking_no="GC-20261121-BEFORE")
    sent = await deliveries(before.subject, settled, None)
    assert {(d["channel"], d["status"]) for d in sent} == {
        ("sms", "delivered"),
        ("inapp", "delivered"),
    }
    # planning has seen gm111a without preferences; now they turn SMS off
    put = await client.put(
        "/v1/preferences/me", json={"disabled_channels": ["sms"]}, headers=GM111A
    )
    assert put.status_code == 200

    after = await assigned(tracking_no="GC-20261121-AFTER1")
    quiet = await deliveries(after.subject, settled, None)

    assert {(d["channel"], d["status"]) for d in quiet} == {
        ("sms", "skipped"),
        ("inapp", "delivered"),
    }
    assert [r.json()["params"]["tracking_no"] for r in http_sink.requests] == ["GC-20261121-BEFORE"]
