"""Who hears what (the rules), and recording the intent to tell them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads
from gridcase_events.envelope import Envelope, new_id
from gridcase_events.kit import tracing
from gridcase_events.kit.clock import Clock
from notify.deliveries import repository


def idempotency_key(*, event_id: Any, recipient_id: str, channel: str) -> str:
    return f"{event_id}:{recipient_id}:{channel}"


async def plan(
    *,
    session: AsyncSession,
    clock: Clock,
    event: Envelope,
    case_id: Any,
    recipients: list[str],
    params: dict[str, Any],
    channel: str = "sms",
) -> int:
    """Records one delivery per recipient (once per event, recipient and channel)."""
    now = clock.now()
    planned = 0
    for recipient in dict.fromkeys(recipients):
        planned += await repository.plan(
            session,
            {
                "id": new_id(),
                "idempotency_key": idempotency_key(
                    event_id=event.id, recipient_id=recipient, channel=channel
                ),
                "trigger_event_id": event.id,
                "trigger_event_type": event.type,
                "case_id": case_id,
                "correlation_id": event.correlation_id,
                "trace_context": tracing.current_carrier(),
                "channel": channel,
                "recipient_id": recipient,
                "recipient_masked": "",  # the masked phone, learned when sending
                "template": event.type,
                "params": params,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "updated_at": now,
            },
        )
    return planned


async def on_assigned(
    *, session: AsyncSession, clock: Clock, event: Envelope, assigned: payloads.CaseAssigned
) -> bool:
    """The assignee hears of a new case by SMS (the B post too, when standing in)."""
    return bool(
        await plan(
            session=session,
            clock=clock,
            event=event,
            case_id=assigned.case_id,
            recipients=[assigned.assignee_id],
            params={
                "tracking_no": assigned.tracking_no,
                "summary": assigned.summary,
                "priority": assigned.priority,
                "post": assigned.post,
            },
        )
    )


def _clock_params(sla: Any, timezone: str) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    return {
        "tracking_no": sla.tracking_no,
        "clock": sla.clock,
        "due_local": sla.due_at.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M"),
    }


async def on_sla(
    *, session: AsyncSession, clock: Clock, event: Envelope, sla: Any, timezone: str
) -> int:
    """The assignee hears of a warning (50%, 80%) or a breach of their case's clock."""
    if not sla.assignee_id or sla.clock == "ownership":
        return 0
    params = {**_clock_params(sla, timezone), "percent": getattr(sla, "percent", 100)}
    return await plan(
        session=session,
        clock=clock,
        event=event,
        case_id=sla.case_id,
        recipients=[sla.assignee_id],
        params=params,
    )


async def on_escalated(
    *,
    session: AsyncSession,
    clock: Clock,
    event: Envelope,
    escalated: payloads.CaseEscalated,
    timezone: str,
) -> int:
    """The people on the rung hear of the escalation, and of each reminder (催办)."""
    params = {
        **_clock_params(escalated, timezone),
        "level": escalated.level,
        "urge": escalated.urge,
        "buck_passing": escalated.buck_passing,
        "reason": escalated.reason,
    }
    return await plan(
        session=session,
        clock=clock,
        event=event,
        case_id=escalated.case_id,
        recipients=escalated.target_staff_ids,
        params=params,
    )
