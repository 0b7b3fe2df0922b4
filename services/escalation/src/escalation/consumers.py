"""What escalation consumes: dispatch's events."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks import service as clock_service
from escalation.config import EscalationSettings
from gridcase_events import payloads, topics
from gridcase_events.envelope import Envelope
from gridcase_events.kit.runtime import ConsumerSpec, Runtime


def consumers(runtime: Runtime) -> list[ConsumerSpec]:
    settings = cast(EscalationSettings, runtime.settings)

    async def on_assigned(session: AsyncSession, event: Envelope, payload: Any) -> None:
        assert isinstance(payload, payloads.CaseAssigned)
        await clock_service.start_resolution(
            session=session, settings=settings, clock=runtime.clock, event=event, assigned=payload
        )

    return [
        ConsumerSpec(
            name="escalation-dispatch",
            topics=[topics.DISPATCH],
            handlers={"case.assigned": on_assigned},
        )
    ]
