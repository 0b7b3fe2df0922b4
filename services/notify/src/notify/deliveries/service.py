"""Who hears what (the rules), and recording the intent to tell them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads
from gridcase_events.envelope import Envelope, new_id
from gridcase_events.kit.clock import Clock
from notify.deliveries import repository


def idempotency_key(*, event_id: Any, recipient_id: str, channel: str) -> str:
    return f"{event_id}:{recipient_id}:{channel}"


async def on_assigned(
    *, session: AsyncSession, clock: Clock, event: Envelope, assigned: payloads.CaseAssigned
) -> bool:
    """The assignee hears of a new case by SMS (the B post too, when standing in)."""
    now = clock.now()
    return await repository.plan(
        session,
        {
            "id": new_id(),
            "idempotency_key": idempotency_key(
                event_id=event.id, recipient_id=assigned.assignee_id, channel="sms"
            ),
            "trigger_event_id": event.id,
            "trigger_event_type": event.type,
            "case_id": assigned.case_id,
            "correlation_id": event.correlation_id,
            "channel": "sms",
            "recipient_id": assigned.assignee_id,
            "recipient_masked": "",  # the masked phone, learned when sending
            "template": event.type,
            "params": {
                "tracking_no": assigned.tracking_no,
                "summary": assigned.summary,
                "priority": assigned.priority,
                "post": assigned.post,
            },
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "updated_at": now,
        },
    )
