"""What intake consumes: dispatch's events, for the public status view."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads, topics
from gridcase_events.envelope import Envelope
from gridcase_events.kit.runtime import ConsumerSpec, Runtime
from intake.cases import service as case_service


async def on_case_event(session: AsyncSession, event: Envelope, payload: Any) -> None:
    assert isinstance(payload, payloads.CaseRef)
    await case_service.project_status(
        session=session, event_type=event.type, case=payload, at=event.time
    )


def consumers(runtime: Runtime) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            name="intake-status",
            topics=[topics.DISPATCH],
            handlers=dict.fromkeys(case_service.PUBLIC_STATUS, on_case_event),
        )
    ]
