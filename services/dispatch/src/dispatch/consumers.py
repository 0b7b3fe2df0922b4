"""What dispatch consumes: intake's events."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.deadlines.handlers import handlers as deadlines_handlers
from dispatch.workflow import service as workflow_service
from gridcase_events import payloads, topics
from gridcase_events.envelope import Envelope
from gridcase_events.kit.runtime import ConsumerSpec, Runtime


def consumers(runtime: Runtime) -> list[ConsumerSpec]:
    async def on_reported(session: AsyncSession, event: Envelope, payload: Any) -> None:
        assert isinstance(payload, payloads.CaseReported)
        await workflow_service.take_in(
            session=session, runtime=runtime, event=event, reported=payload
        )

    return [
        ConsumerSpec(
            name="dispatch-intake",
            topics=[topics.INTAKE],
            handlers={"case.reported": on_reported},
        ),
        ConsumerSpec(
            name="dispatch-deadlines",
            topics=[topics.ESCALATION, topics.DISPATCH],
            handlers=deadlines_handlers.bind(runtime),
        ),
    ]
