"""What escalation consumes: dispatch's case events, which start, stop, pause, resume
and move the clocks; the directory; and, for the reports' facts projection, intake's
case events, grid members' ended patrols and household visits (the assessment), and
escalation's own escalations and supervision orders. Times come from
the events, not from when they are read.

One typed handler per event type, by consumer group. A dispatch event feeds the facts
projection first (it judges an acceptance against the sign-for clock still running),
then the clocks.
"""

from __future__ import annotations

from datetime import datetime

from escalation.clocks import service as clocks
from escalation.clocks.models import CaseClock
from escalation.deps import EscalationRuntime
from escalation.directory import repository as directory_repository
from escalation.reports import service as reports
from gridcase_events import payloads, topics
from gridcase_events.handlers import Context, Handlers
from gridcase_events.kit.runtime import ConsumerSpec

Ctx = Context[EscalationRuntime]

directory = Handlers[EscalationRuntime]()
areas = Handlers[EscalationRuntime]()
dispatch = Handlers[EscalationRuntime]()
projection = Handlers[EscalationRuntime]()


def consumers(runtime: EscalationRuntime) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            name="escalation-directory",
            topics=[topics.DIRECTORY],
            handlers=directory.bind(runtime),
        ),
        # Areas and departments have their own group: a deployment whose directory group
        # had already passed them (when they were not yet kept) reads them from the start
        # of the compacted topic.
        ConsumerSpec(
            name="escalation-areas", topics=[topics.DIRECTORY], handlers=areas.bind(runtime)
        ),
        ConsumerSpec(
            name="escalation-dispatch", topics=[topics.DISPATCH], handlers=dispatch.bind(runtime)
        ),
        ConsumerSpec(
            name="escalation-reports",
            topics=[topics.INTAKE, topics.ESCALATION],
            handlers=projection.bind(runtime),
        ),
    ]


# ------------------------------------------------------------------------- helpers


async def _announce(ctx: Ctx, clock: CaseClock | None, reason: str, at: datetime) -> None:
    await clocks.announce(
        session=ctx.session,
        runtime=ctx.runtime,
        clock=clock,
        reason=reason,
        at=at,
        causation_id=str(ctx.event.id),
    )


async def _record(ctx: Ctx, p: reports.DispatchCaseEvent) -> None:
    await reports.record_dispatch(ctx.session, event=ctx.event, p=p, now=ctx.runtime.clock.now())


async def _stop(ctx: Ctx, p: payloads.CaseRef, *, kind: str, at: datetime, reason: str) -> None:
    await clocks.stop(session=ctx.session, case_id=p.case_id, kind=kind, at=at, reason=reason)


async def _restart(ctx: Ctx, kind: str, p: payloads.CaseReopened | payloads.CaseClosed) -> None:
    """Starts (or restarts) a clock of `kind` for the case's assignee and announces it:
    a reopened case gets a fresh resolution clock, a closed one its callback clock."""
    await clocks.start(
        session=ctx.session,
        runtime=ctx.runtime,
        kind=kind,
        facts=clocks.facts_of(ctx.event, p, p.assignee_id),
        at=p.at,
        now=ctx.runtime.clock.now(),
        causation_id=str(ctx.event.id),
    )


async def _handed_on(ctx: Ctx, p: clocks.HandedOn, reason: str) -> None:
    """Returned (退单), transferred (转派) or dispatched out of a unit's queue: nobody
    owns the case until someone accepts it. The first owner stays accountable
    (首问负责制); an ownership clock runs, and a case handed on too often is
    buck-passing (推诿) at once."""
    await _stop(ctx, p, kind="sign_for", at=p.at, reason=reason)
    handoffs = await clocks.handoffs(session=ctx.session, case_id=p.case_id) + 1
    await clocks.start(
        session=ctx.session,
        runtime=ctx.runtime,
        kind="ownership",
        facts=clocks.handed_on_facts(ctx.event, p),
        at=p.at,
        now=ctx.runtime.clock.now(),
        causation_id=str(ctx.event.id),
        due_now=handoffs > ctx.runtime.settings.max_handoffs,
    )


# ------------------------------------------------------------ dispatch: the clocks


@dispatch.on(payloads.CaseRouted)
async def on_routed(ctx: Ctx, p: payloads.CaseRouted) -> None:
    await _record(ctx, p)


@dispatch.on(payloads.CaseAssigned)
async def on_assigned(ctx: Ctx, p: payloads.CaseAssigned) -> None:
    """A new assignee (first, after a transfer, after a reopening) has to sign anew;
    the resolution clock starts with the first assignment. The clocks are written with
    the run's other starts (:func:`clocks.start_all_later`)."""
    await _record(ctx, p)
    await clocks.start_all_later(
        session=ctx.session,
        runtime=ctx.runtime,
        kinds=[("sign_for", True), ("resolution", False)],
        facts=clocks.facts_of(ctx.event, p, p.assignee_id),
        at=p.assigned_at,
        now=ctx.runtime.clock.now(),
        causation_id=str(ctx.event.id),
    )


@dispatch.on(payloads.CaseAccepted)
async def on_accepted(ctx: Ctx, p: payloads.CaseAccepted) -> None:
    """A new owner has accepted: the first owner's responsibility is discharged, and
    first contact with the resident is due once someone owns the case."""
    await _record(ctx, p)
    await _stop(ctx, p, kind="sign_for", at=p.at, reason="accepted")
    await _stop(ctx, p, kind="ownership", at=p.at, reason="accepted")
    await clocks.start_once(
        session=ctx.session,
        runtime=ctx.runtime,
        kind="first_contact",
        facts=clocks.facts_of(ctx.event, p, p.assignee_id),
        at=p.at,
        now=ctx.runtime.clock.now(),
        causation_id=str(ctx.event.id),
    )


@dispatch.on(payloads.CaseContacted)
async def on_contacted(ctx: Ctx, p: payloads.CaseContacted) -> None:
    await _stop(ctx, p, kind="first_contact", at=p.at, reason="contacted")


@dispatch.on(payloads.CaseReturned)
async def on_returned(ctx: Ctx, p: payloads.CaseReturned) -> None:
    await reports.record_return(ctx.session, p=p)
    await _record(ctx, p)
    await _handed_on(ctx, p, "returned")


@dispatch.on(payloads.CaseTransferred)
async def on_transferred(ctx: Ctx, p: payloads.CaseTransferred) -> None:
    await _record(ctx, p)
    await _handed_on(ctx, p, "transferred")


@dispatch.on(payloads.CaseDispatched)
async def on_dispatched(ctx: Ctx, p: payloads.CaseDispatched) -> None:
    """A hand-off by the operators' case API (派遣, 改派, claim).

    - Its settlement (resolution) clock, when one runs (a returned case, a reassigned
      one), keeps its deadline but is now the new unit's and person's.
    - 派遣 out of one unit's queue into another: a hand-off as a transfer is — the
      ownership clock runs against the first owner and counts toward buck-passing.
    - 派遣 to a person (``assignee_id``): the ``case.assigned`` that follows starts the
      sign-for clock and, for a case out of triage, the resolution clock (as for a
      routed case). 派遣 into a unit where nobody is on duty: the unit itself must sign
      for it — a sign-for clock runs for the unit until someone accepts from the queue
      or is assigned — and the resolution clock starts now.
    - 改派 and claim, within the unit: the new person's sign-for clock comes with the
      ``case.assigned`` that follows.
    """
    await _record(ctx, p)
    facts = clocks.facts_of(ctx.event, p, p.assignee_id)
    await clocks.hand_over(session=ctx.session, kind="resolution", facts=facts, at=p.at)
    if p.kind != "dispatch":
        return
    if p.left_a_unit:
        await _handed_on(ctx, p, "dispatched")
    if p.assignee_id is not None:
        return
    await clocks.start_all_later(
        session=ctx.session,
        runtime=ctx.runtime,
        kinds=[("resolution", False), ("sign_for", True)],
        facts=facts,
        at=p.at,
        now=ctx.runtime.clock.now(),
        causation_id=str(ctx.event.id),
    )


@dispatch.on(payloads.CaseResolved)
async def on_resolved(ctx: Ctx, p: payloads.CaseResolved) -> None:
    await _record(ctx, p)
    await _stop(ctx, p, kind="resolution", at=p.at, reason="resolved")


@dispatch.on(payloads.CaseSuspended)
async def on_suspended(ctx: Ctx, p: payloads.CaseSuspended) -> None:
    await clocks.pause(session=ctx.session, case_id=p.case_id, kind="resolution", at=p.at)


@dispatch.on(payloads.CaseResumed)
async def on_resumed(ctx: Ctx, p: payloads.CaseResumed) -> None:
    resumed = await clocks.resume(
        session=ctx.session,
        settings=ctx.runtime.settings,
        case_id=p.case_id,
        kind="resolution",
        at=p.at,
    )
    await _announce(ctx, resumed, "resumed", p.at)


@dispatch.on(payloads.CaseExtensionApproved)
async def on_extension_approved(ctx: Ctx, p: payloads.CaseExtensionApproved) -> None:
    extended = await clocks.extend(
        session=ctx.session,
        settings=ctx.runtime.settings,
        case_id=p.case_id,
        kind="resolution",
        until=p.until,
        at=p.at,
    )
    await _announce(ctx, extended, "extended", p.at)


@dispatch.on(payloads.CaseReopened)
async def on_reopened(ctx: Ctx, p: payloads.CaseReopened) -> None:
    await _record(ctx, p)
    await _restart(ctx, "resolution", p)


@dispatch.on(payloads.CaseClosed)
async def on_closed(ctx: Ctx, p: payloads.CaseClosed) -> None:
    await _record(ctx, p)
    await _restart(ctx, "callback", p)


@dispatch.on(payloads.CaseEvaluated)
async def on_evaluated(ctx: Ctx, p: payloads.CaseEvaluated) -> None:
    await _record(ctx, p)
    await _stop(ctx, p, kind="callback", at=p.at, reason="evaluated")


# ------------------------------------------------------------------ the directory


@directory.on(payloads.StaffUpserted)
async def on_staff(ctx: Ctx, p: payloads.StaffUpserted) -> None:
    await directory_repository.upsert_staff(
        ctx.session,
        staff_id=p.staff_id,
        role=p.role,
        area_code=p.area_code,
        department_code=p.department_code,
        at=ctx.event.time,
    )


@areas.on(payloads.AreaUpserted)
async def on_area(ctx: Ctx, p: payloads.AreaUpserted) -> None:
    await directory_repository.upsert_area(
        ctx.session,
        code=p.code,
        name=p.name,
        level=p.level,
        parent_code=p.parent_code,
        at=ctx.event.time,
    )


@areas.on(payloads.DepartmentUpserted)
async def on_department(ctx: Ctx, p: payloads.DepartmentUpserted) -> None:
    await directory_repository.upsert_department(
        ctx.session, code=p.code, name=p.name, at=ctx.event.time
    )


# ------------------------------------------------- the reports' facts projection


@projection.on(payloads.CaseReported)
async def on_reported(ctx: Ctx, p: payloads.CaseReported) -> None:
    await reports.record_reported(ctx.session, p=p, now=ctx.runtime.clock.now())


@projection.on(payloads.CaseWithdrawn)
async def on_withdrawn(ctx: Ctx, p: payloads.CaseWithdrawn) -> None:
    await reports.record_ended(
        ctx.session,
        case_id=p.case_id,
        tracking_no=p.tracking_no,
        how="withdrawn",
        now=ctx.runtime.clock.now(),
    )


@projection.on(payloads.CaseMerged)
async def on_merged(ctx: Ctx, p: payloads.CaseMerged) -> None:
    await reports.record_ended(
        ctx.session,
        case_id=p.case_id,
        tracking_no=p.tracking_no,
        how="merged",
        now=ctx.runtime.clock.now(),
    )


@projection.on(payloads.CaseEscalated)
async def on_escalated(ctx: Ctx, p: payloads.CaseEscalated) -> None:
    await reports.record_escalated(ctx.session, event=ctx.event, p=p, now=ctx.runtime.clock.now())


@projection.on(payloads.SupervisionIssued)
async def on_supervision(ctx: Ctx, p: payloads.SupervisionIssued) -> None:
    await reports.record_supervision(ctx.session, p=p, now=ctx.runtime.clock.now())


@projection.on(payloads.PatrolEnded)
async def on_patrol_ended(ctx: Ctx, p: payloads.PatrolEnded) -> None:
    await reports.record_patrol(ctx.session, p=p)


@projection.on(payloads.VisitRecorded)
async def on_visit_recorded(ctx: Ctx, p: payloads.VisitRecorded) -> None:
    await reports.record_visit(ctx.session, p=p)
