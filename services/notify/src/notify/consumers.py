"""What notify consumes: the directory (contacts) and dispatch's events."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads, topics
from gridcase_events.envelope import Envelope
from gridcase_events.kit.runtime import ConsumerSpec, Runtime
from notify.config import NotifySettings
from notify.contacts import service as contact_service
from notify.deliveries import service as delivery_service


def consumers(runtime: Runtime) -> list[ConsumerSpec]:
    async def on_staff(session: AsyncSession, event: Envelope, payload: Any) -> None:
        assert isinstance(payload, payloads.StaffUpserted)
        await contact_service.project_staff(session=session, staff=payload, at=event.time)

    async def on_assigned(session: AsyncSession, event: Envelope, payload: Any) -> None:
        assert isinstance(payload, payloads.CaseAssigned)
        await delivery_service.on_assigned(
            session=session, clock=runtime.clock, event=event, assigned=payload
        )

    timezone = cast(NotifySettings, runtime.settings).timezone

    async def on_sla(session: AsyncSession, event: Envelope, payload: Any) -> None:
        await delivery_service.on_sla(
            session=session, clock=runtime.clock, event=event, sla=payload, timezone=timezone
        )

    async def on_escalated(session: AsyncSession, event: Envelope, payload: Any) -> None:
        assert isinstance(payload, payloads.CaseEscalated)
        await delivery_service.on_escalated(
            session=session, clock=runtime.clock, event=event, escalated=payload, timezone=timezone
        )

    return [
        ConsumerSpec(
            name="notify-escalation",
            topics=[topics.ESCALATION],
            handlers={
                "sla.warning": on_sla,
                "sla.breached": on_sla,
                "case.escalated": on_escalated,
            },
        ),
        ConsumerSpec(
            name="notify-directory",
            topics=[topics.DIRECTORY],
            handlers={"directory.staff_upserted": on_staff},
        ),
        ConsumerSpec(
            name="notify-dispatch",
            topics=[topics.DISPATCH],
            handlers={"case.assigned": on_assigned},
        ),
    ]
