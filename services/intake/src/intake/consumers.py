"""What intake consumes: dispatch's events and escalation's deadlines, for the public
status view; the directory's categories, departments and areas, for the Open311
service list and the agency responsible."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads, topics
from gridcase_events.envelope import Envelope
from gridcase_events.kit.runtime import ConsumerSpec, Runtime
from intake.cases import service as case_service
from intake.catalogue import service as catalogue_service


async def on_case_event(session: AsyncSession, event: Envelope, payload: Any) -> None:
    assert isinstance(payload, payloads.CaseRef)
    await case_service.project_status(
        session=session, event_type=event.type, case=payload, at=event.time
    )


async def on_clock_started(session: AsyncSession, event: Envelope, payload: Any) -> None:
    assert isinstance(payload, payloads.SlaClockStarted)
    await case_service.project_deadline(session=session, clock=payload)


async def on_category(session: AsyncSession, event: Envelope, payload: Any) -> None:
    assert isinstance(payload, payloads.CategoryUpserted)
    await catalogue_service.project_category(session=session, category=payload, at=event.time)


async def on_department(session: AsyncSession, event: Envelope, payload: Any) -> None:
    assert isinstance(payload, payloads.DepartmentUpserted)
    await catalogue_service.project_department(session=session, department=payload, at=event.time)


async def on_area(session: AsyncSession, event: Envelope, payload: Any) -> None:
    assert isinstance(payload, payloads.AreaUpserted)
    await catalogue_service.project_area(session=session, area=payload, at=event.time)


def consumers(runtime: Runtime) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            name="intake-status",
            topics=[topics.DISPATCH],
            handlers=dict.fromkeys(case_service.PUBLIC_STATUS, on_case_event),
        ),
        ConsumerSpec(
            name="intake-deadlines",
            topics=[topics.ESCALATION],
            handlers={"sla.clock_started": on_clock_started},
        ),
        ConsumerSpec(
            name="intake-catalogue",
            topics=[topics.DIRECTORY],
            handlers={
                "directory.category_upserted": on_category,
                "directory.department_upserted": on_department,
                "directory.area_upserted": on_area,
            },
        ),
    ]
