"""What intake consumes: dispatch's events and escalation's deadlines, for the public
status view; the directory's categories, departments and areas, for the Open311
service list and the agency responsible."""

from __future__ import annotations

from gridcase_events import payloads, topics
from gridcase_events.handlers import Context, Handlers
from gridcase_events.kit.runtime import ConsumerSpec
from intake.attachments import service as attachment_service
from intake.cases import service as case_service
from intake.catalogue import service as catalogue_service
from intake.deps import IntakeRuntime

status = Handlers[IntakeRuntime]()
deadlines = Handlers[IntakeRuntime]()
catalogue = Handlers[IntakeRuntime]()


@status.on(
    payloads.CaseRouted,
    payloads.CaseAssigned,
    payloads.CaseAccepted,
    payloads.CaseReturned,
    payloads.CaseTransferred,
    payloads.CaseClosed,
    payloads.CaseReopened,
    payloads.CaseEvaluated,
    payloads.CaseSuspended,
    payloads.CaseResumed,
)
async def on_case_event(ctx: Context[IntakeRuntime], case: payloads.CaseRef) -> None:
    case_service.project_status(
        session=ctx.session,
        event_type=ctx.event.type,
        case=case,
        at=ctx.event.time,
        tenant=ctx.event.tenant,
    )


@status.on(payloads.CaseResolved)
async def on_resolved(ctx: Context[IntakeRuntime], resolved: payloads.CaseResolved) -> None:
    """The public status, and the evidence files now belong to the case (who may
    download them: ``intake.attachments.service.downloadable``)."""
    case_service.project_status(
        session=ctx.session,
        event_type=ctx.event.type,
        case=resolved,
        at=ctx.event.time,
        tenant=ctx.event.tenant,
    )
    await attachment_service.record_evidence(
        session=ctx.session,
        resolved=resolved,
        base_url=ctx.runtime.settings.public_base_url,
        at=ctx.event.time,
    )


@deadlines.on(payloads.SlaClockStarted)
async def on_clock_started(ctx: Context[IntakeRuntime], clock: payloads.SlaClockStarted) -> None:
    case_service.project_deadline(session=ctx.session, clock=clock)


@catalogue.on(payloads.CategoryUpserted)
async def on_category(ctx: Context[IntakeRuntime], category: payloads.CategoryUpserted) -> None:
    await catalogue_service.project_category(
        session=ctx.session, category=category, at=ctx.event.time
    )


@catalogue.on(payloads.DepartmentUpserted)
async def on_department(
    ctx: Context[IntakeRuntime], department: payloads.DepartmentUpserted
) -> None:
    await catalogue_service.project_department(
        session=ctx.session, department=department, at=ctx.event.time
    )


@catalogue.on(payloads.AreaUpserted)
async def on_area(ctx: Context[IntakeRuntime], area: payloads.AreaUpserted) -> None:
    await catalogue_service.project_area(session=ctx.session, area=area, at=ctx.event.time)


if status.types & deadlines.types:
    raise RuntimeError("intake's status and deadline handlers share an event type")
if status.types != set(case_service.PUBLIC_STATUS):
    raise RuntimeError("intake's status handlers and PUBLIC_STATUS name different events")


def consumers(runtime: IntakeRuntime) -> list[ConsumerSpec]:
    """``intake-status`` is the one consumer group of intake's projections: the public
    status from dispatch's topic and the expected date from escalation's. One group, so
    that a case's events of both topics polled together are applied in one transaction
    (one inbox insert, one commit, their writes held to it: ``cases.repository``) rather
    than a run in each of two groups, each paying its fetches, its inbox insert and its
    commit (docs/benchmarks.md, "intake's projections in one group"). Each partition
    keeps its order, and the kit still applies each event all or nothing when a run
    fails. The name is the status group's of before: its offsets on dispatch's topic
    carry on; escalation's topic is read from its start once under it (an expected date
    is never set older than the row's). The former group ``intake-deadlines`` is no
    longer read."""
    return [
        ConsumerSpec(
            name="intake-status",
            topics=[topics.DISPATCH, topics.ESCALATION],
            handlers={**status.bind(runtime), **deadlines.bind(runtime)},
        ),
        ConsumerSpec(
            name="intake-catalogue", topics=[topics.DIRECTORY], handlers=catalogue.bind(runtime)
        ),
    ]
