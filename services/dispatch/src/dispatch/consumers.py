"""What dispatch consumes: intake's events."""

from __future__ import annotations

from dispatch.deadlines.handlers import handlers as deadlines_handlers
from dispatch.deps import DispatchRuntime
from dispatch.workflow import service as workflow_service
from gridcase_events import payloads, topics
from gridcase_events.handlers import Context, Handlers
from gridcase_events.kit.runtime import ConsumerSpec

intake_handlers = Handlers[DispatchRuntime]()


@intake_handlers.on(payloads.CaseReported)
async def on_reported(ctx: Context[DispatchRuntime], reported: payloads.CaseReported) -> None:
    await workflow_service.take_in(
        session=ctx.session, runtime=ctx.runtime, event=ctx.event, reported=reported
    )


def consumers(runtime: DispatchRuntime) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            name="dispatch-intake",
            topics=[topics.INTAKE],
            handlers=intake_handlers.bind(runtime),
        ),
        ConsumerSpec(
            name="dispatch-deadlines",
            topics=[topics.ESCALATION, topics.DISPATCH],
            handlers=deadlines_handlers.bind(runtime),
        ),
    ]
