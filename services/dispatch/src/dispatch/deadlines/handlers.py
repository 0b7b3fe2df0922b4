"""The deadlines projection's handlers (one consumer group over escalation's and
dispatch's own topics; both are keyed by case id)."""

from __future__ import annotations

from dispatch.deadlines import service
from dispatch.deps import DispatchRuntime
from gridcase_events import payloads
from gridcase_events.handlers import Context, Handlers

DeadlinesRuntime = DispatchRuntime
handlers = Handlers[DeadlinesRuntime]()


@handlers.on(payloads.SlaClockStarted)
async def on_clock_started(ctx: Context[DeadlinesRuntime], p: payloads.SlaClockStarted) -> None:
    await service.clock_started(ctx.session, p)


@handlers.on(payloads.SlaWarning)
async def on_warning(ctx: Context[DeadlinesRuntime], p: payloads.SlaWarning) -> None:
    await service.warned(ctx.session, p)


@handlers.on(payloads.SlaBreached)
async def on_breached(ctx: Context[DeadlinesRuntime], p: payloads.SlaBreached) -> None:
    await service.breached(ctx.session, p)


@handlers.on(payloads.CaseAccepted)
async def on_accepted(ctx: Context[DeadlinesRuntime], p: payloads.CaseAccepted) -> None:
    await service.stopped(ctx.session, case_id=p.case_id, clocks=("sign_for", "ownership"), at=p.at)


@handlers.on(payloads.CaseReturned)
async def on_returned(ctx: Context[DeadlinesRuntime], p: payloads.CaseReturned) -> None:
    await service.stopped(ctx.session, case_id=p.case_id, clocks=("sign_for",), at=p.at)


@handlers.on(payloads.CaseTransferred)
async def on_transferred(ctx: Context[DeadlinesRuntime], p: payloads.CaseTransferred) -> None:
    await service.stopped(ctx.session, case_id=p.case_id, clocks=("sign_for",), at=p.at)


@handlers.on(payloads.CaseContacted)
async def on_contacted(ctx: Context[DeadlinesRuntime], p: payloads.CaseContacted) -> None:
    await service.stopped(ctx.session, case_id=p.case_id, clocks=("first_contact",), at=p.at)


@handlers.on(payloads.CaseResolved)
async def on_resolved(ctx: Context[DeadlinesRuntime], p: payloads.CaseResolved) -> None:
    await service.stopped(ctx.session, case_id=p.case_id, clocks=("resolution",), at=p.at)


@handlers.on(payloads.CaseEvaluated)
async def on_evaluated(ctx: Context[DeadlinesRuntime], p: payloads.CaseEvaluated) -> None:
    await service.stopped(ctx.session, case_id=p.case_id, clocks=("callback",), at=p.at)


@handlers.on(payloads.CaseSuspended)
async def on_suspended(ctx: Context[DeadlinesRuntime], p: payloads.CaseSuspended) -> None:
    await service.paused(ctx.session, case_id=p.case_id, at=p.at)


@handlers.on(payloads.CaseResumed)
async def on_resumed(ctx: Context[DeadlinesRuntime], p: payloads.CaseResumed) -> None:
    await service.resumed(ctx.session, case_id=p.case_id, at=p.at)
