"""escalation: no case is forgotten — clocks, deadlines and escalation."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from escalation import models  # noqa: F401 - registers the tables
from escalation.calendar.endpoints import router as calendar_router
from escalation.clocks.endpoints import router as clocks_router
from escalation.config import EscalationSettings
from escalation.consumers import consumers
from escalation.db import schema
from escalation.deps import EscalationRuntime
from escalation.ladder.endpoints import router as ladder_router
from escalation.policies.endpoints import router as policies_router
from escalation.reports.endpoints import router as reports_router
from escalation.reports.metrics import QualityGauges
from escalation.supervision.endpoints import router as supervision_router
from escalation.timers.scheduler import TimerScheduler
from gridcase_events.kit import text
from gridcase_events.kit.clock import Clock
from gridcase_events.kit.runtime import Worker, create_service_app


def create_app(settings: EscalationSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or EscalationSettings()

    def workers(runtime: EscalationRuntime) -> list[Worker]:
        return [TimerScheduler(runtime=runtime), QualityGauges(runtime=runtime)]

    app = create_service_app(
        service="escalation",
        title="gridcase escalation",
        description="Clocks, deadlines, escalation chains and supervision.",
        settings=settings,
        schema=schema,
        routers=[
            clocks_router,
            policies_router,
            calendar_router,
            ladder_router,
            supervision_router,
            reports_router,
        ],
        consumers=consumers,
        workers=workers,
        clock=clock,
    )
    # a refused input that echoes a lone surrogate still makes a 422 (kit/text.py)
    app.add_exception_handler(RequestValidationError, text.validation_error)
    return app
