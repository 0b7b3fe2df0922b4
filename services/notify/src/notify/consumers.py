"""What notify consumes: the directory (contacts), intake's reports (residents to tell),
and the case events its rules speak of."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads, topics
from gridcase_events.envelope import Envelope
from gridcase_events.kit.runtime import ConsumerSpec, Runtime
from notify.config import NotifySettings
from notify.contacts import service as contact_service
from notify.deliveries import service as delivery_service
from notify.reporters import service as reporter_service


def consumers(runtime: Runtime) -> list[ConsumerSpec]:
    settings = cast(NotifySettings, runtime.settings)

    async def on_staff(session: AsyncSession, event: Envelope, payload: Any) -> None:
        assert isinstance(payload, payloads.StaffUpserted)
        await contact_service.project_staff(session=session, staff=payload, at=event.time)

    async def on_reported(session: AsyncSession, event: Envelope, payload: Any) -> None:
        assert isinstance(payload, payloads.CaseReported)
        await reporter_service.on_reported(session=session, reported=payload, at=event.time)
        await delivery_service.plan_owed(
            session=session,
            clock=runtime.clock,
            settings=settings,
            case_id=payload.case_id,
            report_id=payload.case_id,
        )

    async def on_merged(session: AsyncSession, event: Envelope, payload: Any) -> None:
        assert isinstance(payload, payloads.CaseMerged)
        await reporter_service.on_merged(session=session, merged=payload, at=event.time)
        await delivery_service.plan_owed(
            session=session,
            clock=runtime.clock,
            settings=settings,
            case_id=payload.duplicate_of,
            report_id=payload.case_id,
            since=payload.merged_at,
        )

    async def by_rule(session: AsyncSession, event: Envelope, payload: Any) -> None:
        await delivery_service.plan_event(
            session=session, clock=runtime.clock, settings=settings, event=event, payload=payload
        )

    return [
        ConsumerSpec(
            name="notify-escalation",
            topics=[topics.ESCALATION],
            handlers={
                "sla.warning": by_rule,
                "sla.breached": by_rule,
                "case.escalated": by_rule,
                "supervision.issued": by_rule,
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
            handlers={
                "case.assigned": by_rule,
                "case.accepted": by_rule,
                "case.resolved": by_rule,
                "case.closed": by_rule,
            },
        ),
        ConsumerSpec(
            name="notify-intake",
            topics=[topics.INTAKE],
            handlers={"case.reported": on_reported, "case.merged": on_merged},
        ),
    ]
