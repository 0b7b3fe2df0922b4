"""What intake consumes: dispatch's events, for the public status view."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads, topics
from gridcase_events.envelope import Envelope
from gridcase_events.kit.runtime import ConsumerSpec, Runtime
from intake.cases import service as case_service


async def on_routed(session: AsyncSession, event: Envelope, payload: Any) -> None:
    assert isinstance(payload, payloads.CaseRouted)
    await case_service.project_status(
        session=session,
        case_id=payload.case_id,
        status="routed",
        at=event.time,
        values={"grid_code": payload.grid_code, "department_code": payload.department_code},
    )


async def on_assigned(session: AsyncSession, event: Envelope, payload: Any) -> None:
    assert isinstance(payload, payloads.CaseAssigned)
    await case_service.project_status(
        session=session,
        case_id=payload.case_id,
        status="assigned",
        at=event.time,
        values={"grid_code": payload.grid_code, "department_code": payload.department_code},
    )


def consumers(runtime: Runtime) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            name="intake-status",
            topics=[topics.DISPATCH],
            handlers={"case.routed": on_routed, "case.assigned": on_assigned},
        )
    ]
