"""Outcomes recorded together (the worker's group commit): one statement per kind of
outcome writes only the attempts that still hold their lease."""

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from gridcase_events.envelope import new_id
from gridcase_events.kit.clock import ManualClock
from gridcase_events.kit.db import create_engine
from notify.deliveries import repository

pytestmark = pytest.mark.integration


def sending(clock: ManualClock, *, attempts: int) -> dict[str, Any]:
    now = clock.now()
    delivery_id = new_id()
    return {
        "id": delivery_id,
        "idempotency_key": f"test:{delivery_id}",
        "trigger_event_id": new_id(),
        "trigger_event_type": "case.assigned",
        "case_id": new_id(),
        "correlation_id": "corr-1",
        "channel": "sms",
        "recipient_id": "staff:gm111a",
        "recipient_masked": "",
        "template": "case.assigned",
        "params": {},
        "status": "sending",
        "attempts": attempts,
        "next_attempt_at": now,
        "lease_until": now + timedelta(hours=1),  # not the running worker's to claim
        "planned_at": now,
        "updated_at": now,
    }


async def test_each_outcome_is_written_only_while_its_attempt_holds_the_lease(
    client: Any, fresh_database: str, clock: ManualClock
) -> None:
    now = clock.now()
    rows = {name: sending(clock, attempts=1) for name in ("sent", "lost", "retry", "failed")}
    rows["lost"]["attempts"] = 2  # claimed again since attempt 1 began
    engine = create_engine(fresh_database, pool_size=1)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    ids = {name: row["id"] for name, row in rows.items()}
    delivered = {
        "status": "delivered",
        "provider_ref": None,
        "delivered_at": now,
        "recipient_masked": "138****0002",
        "updated_at": now,
        "lease_until": None,
        "last_error": None,
    }
    try:
        async with sessions() as session, session.begin():
            for row in rows.values():
                await repository.plan(session, row)
        async with sessions() as session, session.begin():
            held = await repository.finish_attempts(
                session,
                [
                    (ids["sent"], 1, delivered),
                    (ids["lost"], 1, delivered),
                    (
                        ids["retry"],
                        1,
                        {
                            "status": "pending",
                            "next_attempt_at": now + timedelta(seconds=30),
                            "lease_until": None,
                            "last_error": "SMS gateway answered 503",
                            "recipient_masked": "138****0002",
                            "updated_at": now,
                        },
                    ),
                    (
                        ids["failed"],
                        1,
                        {
                            "status": "failed",
                            "last_error": "SMS gateway refused the message: 400",
                            "lease_until": None,
                            "recipient_masked": "138****0002",
                            "updated_at": now,
                        },
                    ),
                ],
            )
            await repository.set_provider_refs(session, {ids["sent"]: "sink-1"})
        async with sessions() as session:
            found = {name: await repository.get(session, UUID(str(i))) for name, i in ids.items()}
    finally:
        await engine.dispose()

    assert held == {ids["sent"], ids["retry"], ids["failed"]}
    state = {
        name: (d.status, d.attempts, d.provider_ref, d.last_error, d.lease_until is None)
        for name, d in found.items()
        if d is not None
    }
    assert state == {
        "sent": ("delivered", 1, "sink-1", None, True),
        "lost": ("sending", 2, None, None, False),  # the later attempt's, untouched
        "retry": ("pending", 1, None, "SMS gateway answered 503", True),
        "failed": ("failed", 1, None, "SMS gateway refused the message: 400", True),
    }
    assert found["retry"] is not None
    assert found["retry"].next_attempt_at == now + timedelta(seconds=30)
