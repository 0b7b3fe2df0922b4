"""What escalation consumes: dispatch's case events, which start, stop, pause, resume
and move the clocks; the directory; and, for the reports' facts projection, intake's
case events and escalation's own escalations and supervision orders. Times come from
the events, not from when they are read."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks import service as clocks
from escalation.deps import EscalationRuntime
from escalation.directory import repository as directory_repository
from escalation.reports import service as reports
from gridcase_events import payloads, topics
from gridcase_events.consumer import Handler
from gridcase_events.envelope import Envelope
from gridcase_events.kit.runtime import ConsumerSpec


def _facts(event: Envelope, case: Any, assignee_id: str | None) -> clocks.CaseFacts:
    return clocks.CaseFacts(
        case_id=case.case_id,
        tracking_no=case.tracking_no,
        priority=case.priority,
        category_code=case.category_code,
        # The case's area: its grid, else the community whose station holds it.
        grid_code=getattr(case, "grid_code", None) or getattr(case, "community_code", None),
        department_code=getattr(case, "department_code", None),
        assignee_id=assignee_id,
        correlation_id=event.correlation_id,
    )


def consumers(runtime: EscalationRuntime) -> list[ConsumerSpec]:
    settings = runtime.settings

    async def announce(
        session: AsyncSession, event: Envelope, clock: Any, reason: str, at: Any
    ) -> None:
        await clocks.announce(
            session=session,
            runtime=runtime,
            clock=clock,
            reason=reason,
            at=at,
            causation_id=str(event.id),
        )

    async def on_assigned(session: AsyncSession, event: Envelope, p: Any) -> None:
        assert isinstance(p, payloads.CaseAssigned)
        facts = _facts(event, p, p.assignee_id)
        now = runtime.clock.now()
        # A new assignee (first, after a transfer, after a reopening) has to sign anew.
        sign_for = await clocks.start(
            session=session,
            settings=settings,
            kind="sign_for",
            facts=facts,
            at=p.assigned_at,
            now=now,
        )
        await announce(session, event, sign_for, "started", p.assigned_at)
        resolution = await clocks.start_once(
            session=session,
            settings=settings,
            kind="resolution",
            facts=facts,
            at=p.assigned_at,
            now=now,
        )
        await announce(session, event, resolution, "started", p.assigned_at)

    def stopper(kind: str, reason: str) -> Handler:
        async def handle(session: AsyncSession, event: Envelope, p: Any) -> None:
            await clocks.stop(session=session, case_id=p.case_id, kind=kind, at=p.at, reason=reason)

        return handle

    async def on_accepted(session: AsyncSession, event: Envelope, p: Any) -> None:
        # A new owner has accepted: the first owner's responsibility is discharged.
        await clocks.stop(
            session=session, case_id=p.case_id, kind="sign_for", at=p.at, reason="accepted"
        )
        await clocks.stop(
            session=session, case_id=p.case_id, kind="ownership", at=p.at, reason="accepted"
        )
        # First contact with the resident is due once someone owns the case.
        first_contact = await clocks.start_once(
            session=session,
            settings=settings,
            kind="first_contact",
            facts=_facts(event, p, p.assignee_id),
            at=p.at,
            now=runtime.clock.now(),
        )
        await announce(session, event, first_contact, "started", p.at)

    async def on_handed_on(session: AsyncSession, event: Envelope, p: Any) -> None:
        """Returned (退单) or transferred (转派): nobody owns the case until someone accepts
        it. The first owner stays accountable (首问负责制); an ownership clock runs, and a
        case handed on too often is buck-passing (推诿) at once."""
        assert isinstance(p, payloads.CaseReturned | payloads.CaseTransferred)
        reason = "returned" if isinstance(p, payloads.CaseReturned) else "transferred"
        await clocks.stop(
            session=session, case_id=p.case_id, kind="sign_for", at=p.at, reason=reason
        )
        owner = p.first_owner
        grid = (
            owner.code
            if owner and owner.unit in ("grid", "community")
            else (None if owner else p.from_grid_code)
        )
        department = (
            owner.code
            if owner and owner.unit == "department"
            else (None if owner else p.from_department_code)
        )
        facts = clocks.CaseFacts(
            case_id=p.case_id,
            tracking_no=p.tracking_no,
            priority=p.priority,
            category_code=p.category_code,
            grid_code=grid,
            department_code=department,
            assignee_id=owner.staff_id if owner else None,
            correlation_id=event.correlation_id,
        )
        handoffs = await clocks.handoffs(session=session, case_id=p.case_id) + 1
        ownership = await clocks.start(
            session=session,
            settings=settings,
            kind="ownership",
            facts=facts,
            at=p.at,
            now=runtime.clock.now(),
            due_now=handoffs > settings.max_handoffs,
        )
        await announce(session, event, ownership, "started", p.at)

    async def on_suspended(session: AsyncSession, event: Envelope, p: Any) -> None:
        await clocks.pause(session=session, case_id=p.case_id, kind="resolution", at=p.at)

    async def on_resumed(session: AsyncSession, event: Envelope, p: Any) -> None:
        resumed = await clocks.resume(
            session=session, settings=settings, case_id=p.case_id, kind="resolution", at=p.at
        )
        await announce(session, event, resumed, "resumed", p.at)

    async def on_extension_approved(session: AsyncSession, event: Envelope, p: Any) -> None:
        assert isinstance(p, payloads.CaseExtensionApproved)
        extended = await clocks.extend(
            session=session,
            settings=settings,
            case_id=p.case_id,
            kind="resolution",
            until=p.until,
            at=p.at,
        )
        await announce(session, event, extended, "extended", p.at)

    def starter(kind: str) -> Handler:
        """Starts (or restarts) a clock of `kind` for the case's assignee and announces it:
        a reopened case gets a fresh resolution clock, a closed one its callback clock."""

        async def handle(session: AsyncSession, event: Envelope, p: Any) -> None:
            clock = await clocks.start(
                session=session,
                settings=settings,
                kind=kind,
                facts=_facts(event, p, p.assignee_id),
                at=p.at,
                now=runtime.clock.now(),
            )
            await announce(session, event, clock, "started", p.at)

        return handle

    async def on_evaluated(session: AsyncSession, event: Envelope, p: Any) -> None:
        await clocks.stop(
            session=session, case_id=p.case_id, kind="callback", at=p.at, reason="evaluated"
        )

    async def on_staff(session: AsyncSession, event: Envelope, p: Any) -> None:
        assert isinstance(p, payloads.StaffUpserted)
        await directory_repository.upsert_staff(
            session,
            staff_id=p.staff_id,
            role=p.role,
            area_code=p.area_code,
            department_code=p.department_code,
            at=event.time,
        )

    async def on_area(session: AsyncSession, event: Envelope, p: Any) -> None:
        assert isinstance(p, payloads.AreaUpserted)
        await directory_repository.upsert_area(
            session,
            code=p.code,
            name=p.name,
            level=p.level,
            parent_code=p.parent_code,
            at=event.time,
        )

    async def on_department(session: AsyncSession, event: Envelope, p: Any) -> None:
        assert isinstance(p, payloads.DepartmentUpserted)
        await directory_repository.upsert_department(
            session, code=p.code, name=p.name, at=event.time
        )

    def reported(handler: Handler | None = None) -> Handler:
        """The facts projection first (it judges an acceptance against the sign-for
        clock still running), then the clocks."""

        async def handle(session: AsyncSession, event: Envelope, p: Any) -> None:
            await reports.record_dispatch(session, event=event, p=p, now=runtime.clock.now())
            if handler is not None:
                await handler(session, event, p)

        return handle

    async def on_reported(session: AsyncSession, event: Envelope, p: Any) -> None:
        assert isinstance(p, payloads.CaseReported)
        await reports.record_reported(session, p=p, now=runtime.clock.now())

    async def on_ended(session: AsyncSession, event: Envelope, p: Any) -> None:
        how = "merged" if isinstance(p, payloads.CaseMerged) else "withdrawn"
        await reports.record_ended(
            session, case_id=p.case_id, tracking_no=p.tracking_no, how=how, now=runtime.clock.now()
        )

    async def on_escalated(session: AsyncSession, event: Envelope, p: Any) -> None:
        assert isinstance(p, payloads.CaseEscalated)
        await reports.record_escalated(session, event=event, p=p, now=runtime.clock.now())

    async def on_supervision(session: AsyncSession, event: Envelope, p: Any) -> None:
        assert isinstance(p, payloads.SupervisionIssued)
        await reports.record_supervision(session, p=p, now=runtime.clock.now())

    return [
        ConsumerSpec(
            name="escalation-directory",
            topics=[topics.DIRECTORY],
            handlers={"directory.staff_upserted": on_staff},
        ),
        # Areas and departments have their own group: a deployment whose directory group
        # had already passed them (when they were not yet kept) reads them from the start
        # of the compacted topic.
        ConsumerSpec(
            name="escalation-areas",
            topics=[topics.DIRECTORY],
            handlers={
                "directory.area_upserted": on_area,
                "directory.department_upserted": on_department,
            },
        ),
        ConsumerSpec(
            name="escalation-dispatch",
            topics=[topics.DISPATCH],
            handlers={
                "case.routed": reported(),
                "case.assigned": reported(on_assigned),
                "case.accepted": reported(on_accepted),
                "case.contacted": stopper("first_contact", "contacted"),
                "case.returned": reported(on_handed_on),
                "case.transferred": reported(on_handed_on),
                "case.resolved": reported(stopper("resolution", "resolved")),
                "case.suspended": on_suspended,
                "case.resumed": on_resumed,
                "case.extension_approved": on_extension_approved,
                "case.reopened": reported(starter("resolution")),
                "case.closed": reported(starter("callback")),
                "case.evaluated": reported(on_evaluated),
            },
        ),
        ConsumerSpec(
            name="escalation-reports",
            topics=[topics.INTAKE, topics.ESCALATION],
            handlers={
                "case.reported": on_reported,
                "case.withdrawn": on_ended,
                "case.merged": on_ended,
                "case.escalated": on_escalated,
                "supervision.issued": on_supervision,
            },
        ),
    ]
