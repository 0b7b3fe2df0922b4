"""notify: the right person hears of it, once."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from gridcase_events.kit import text
from gridcase_events.kit.clock import Clock, SystemClock
from gridcase_events.kit.runtime import Worker, create_service_app
from notify import models  # noqa: F401 - registers the tables
from notify.channels.base import Channel
from notify.channels.registry import build_channels
from notify.config import NotifySettings
from notify.consumers import consumers
from notify.db import schema
from notify.deliveries.endpoints import router as deliveries_router
from notify.deliveries.worker import DeliveryWorker
from notify.deps import NotifyRuntime, NotifyState
from notify.inbox.endpoints import router as inbox_router
from notify.preferences.endpoints import router as preferences_router
from notify.robots.endpoints import router as robots_router
from notify.rules.endpoints import router as rules_router
from notify.template_endpoints import router as templates_router


def create_app(
    settings: NotifySettings | None = None,
    clock: Clock | None = None,
    extra_channels: Callable[[NotifyRuntime], Mapping[str, Channel]] | None = None,
) -> FastAPI:
    """`extra_channels` adds channels built elsewhere (tests: channels that fail on cue)."""
    settings = settings or NotifySettings()
    the_clock = clock or SystemClock()

    async def state(runtime: NotifyRuntime) -> NotifyState:
        channels = build_channels(
            settings=settings,
            clock=the_clock,
            extra=extra_channels(runtime) if extra_channels else None,
        )
        return NotifyState(channels=channels)

    def workers(runtime: NotifyRuntime) -> list[Worker]:
        return [DeliveryWorker(runtime=runtime)]

    app = create_service_app(
        service="notify",
        title="gridcase notify",
        description="Notifications: rules, channels, templates and delivery guarantees.",
        settings=settings,
        schema=schema,
        routers=[
            deliveries_router,
            inbox_router,
            preferences_router,
            robots_router,
            rules_router,
            templates_router,
        ],
        consumers=consumers,
        workers=workers,
        state=state,
        clock=the_clock,
    )
    # a refused input that echoes a lone surrogate still makes a 422 (kit/text.py)
    app.add_exception_handler(RequestValidationError, text.validation_error)
    return app
