"""What notify consumes: the directory (contacts), intake's reports (residents to tell),
and the case events its rules speak of."""

from __future__ import annotations

from gridcase_events import payloads, topics
from gridcase_events.handlers import Context, Handlers
from gridcase_events.kit.db import on_commit
from gridcase_events.kit.runtime import ConsumerSpec
from notify.contacts import service as contact_service
from notify.deliveries import planning
from notify.deliveries.facts import Notifiable
from notify.deps import NotifyRuntime
from notify.reporters import service as reporter_service

Ctx = Context[NotifyRuntime]

directory: Handlers[NotifyRuntime] = Handlers()
intake: Handlers[NotifyRuntime] = Handlers()
dispatch: Handlers[NotifyRuntime] = Handlers()
escalation: Handlers[NotifyRuntime] = Handlers()


@directory.on(payloads.StaffUpserted)
async def on_staff(ctx: Ctx, staff: payloads.StaffUpserted) -> None:
    await contact_service.project_staff(session=ctx.session, staff=staff, at=ctx.event.time)


@intake.on(payloads.CaseReported)
async def on_reported(ctx: Ctx, reported: payloads.CaseReported) -> None:
    owed = await reporter_service.on_reported(
        session=ctx.session, reported=reported, at=ctx.event.time
    )
    planned = await planning.plan_owed(
        session=ctx.session,
        clock=ctx.runtime.clock,
        settings=ctx.runtime.settings,
        owed=owed,
        report_id=reported.case_id,
        reporter=reported,
    )
    _wake(ctx, planned)


@intake.on(payloads.CaseMerged)
async def on_merged(ctx: Ctx, merged: payloads.CaseMerged) -> None:
    owed = await reporter_service.on_merged(session=ctx.session, merged=merged, at=ctx.event.time)
    planned = await planning.plan_owed(
        session=ctx.session,
        clock=ctx.runtime.clock,
        settings=ctx.runtime.settings,
        owed=owed,
        report_id=merged.case_id,
        reporter=merged,
        since=merged.merged_at,
    )
    _wake(ctx, planned)


@dispatch.on(
    payloads.CaseAssigned, payloads.CaseAccepted, payloads.CaseResolved, payloads.CaseClosed
)
async def by_dispatch_rule(
    ctx: Ctx,
    payload: payloads.CaseAssigned
    | payloads.CaseAccepted
    | payloads.CaseResolved
    | payloads.CaseClosed,
) -> None:
    await _by_rule(ctx, payload)


@escalation.on(
    payloads.SlaWarning, payloads.SlaBreached, payloads.CaseEscalated, payloads.SupervisionIssued
)
async def by_escalation_rule(
    ctx: Ctx,
    payload: payloads.SlaWarning
    | payloads.SlaBreached
    | payloads.CaseEscalated
    | payloads.SupervisionIssued,
) -> None:
    await _by_rule(ctx, payload)


async def _by_rule(ctx: Ctx, payload: Notifiable) -> None:
    """The deliveries the event's rule calls for (``PUT /v1/rules``)."""
    planned = await planning.plan_event(
        session=ctx.session,
        clock=ctx.runtime.clock,
        settings=ctx.runtime.settings,
        event=ctx.event,
        payload=payload,
    )
    _wake(ctx, planned)


def _wake(ctx: Ctx, planned: int) -> None:
    """Planned deliveries wake the delivery worker once they are committed."""
    if planned:
        on_commit(ctx.session, ctx.runtime.state.deliveries_due.set)


def consumers(runtime: NotifyRuntime) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            name="notify-escalation", topics=[topics.ESCALATION], handlers=escalation.bind(runtime)
        ),
        ConsumerSpec(
            name="notify-directory", topics=[topics.DIRECTORY], handlers=directory.bind(runtime)
        ),
        ConsumerSpec(
            name="notify-dispatch", topics=[topics.DISPATCH], handlers=dispatch.bind(runtime)
        ),
        ConsumerSpec(name="notify-intake", topics=[topics.INTAKE], handlers=intake.bind(runtime)),
    ]
