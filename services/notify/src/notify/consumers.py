"""What notify consumes: the directory (contacts) and dispatch's events."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads, topics
from gridcase_events.envelope import Envelope
from gridcase_events.kit.runtime import ConsumerSpec, Runtime
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

    return [
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
