"""notify: the right person hears of it, once."""

from __future__ import annotations

from fastapi import FastAPI

from gridcase_events.kit.clock import Clock, SystemClock
from gridcase_events.kit.runtime import Runtime, Worker, create_service_app
from notify import models  # noqa: F401 - registers the tables
from notify.channels.base import Channel
from notify.channels.sms import HttpSmsChannel
from notify.config import NotifySettings
from notify.consumers import consumers
from notify.db import schema
from notify.deliveries.endpoints import router as deliveries_router
from notify.deliveries.worker import DeliveryWorker


def create_app(settings: NotifySettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    the_clock = clock or SystemClock()

    def workers(runtime: Runtime) -> list[Worker]:
        channels: dict[str, Channel] = {}
        if settings.sms_gateway_url:
            channels["sms"] = HttpSmsChannel(
                url=settings.sms_gateway_url,
                secret=(
                    settings.sms_gateway_secret.get_secret_value()
                    if settings.sms_gateway_secret
                    else None
                ),
                sign_name=settings.sms_sign_name,
                clock=the_clock,
                timeout=settings.sms_timeout_seconds,
            )
        return [DeliveryWorker(runtime=runtime, settings=settings, channels=channels)]

    return create_service_app(
        service="notify",
        title="gridcase notify",
        description="Notifications: rules, channels, templates and delivery guarantees.",
        settings=settings,
        schema=schema,
        routers=[deliveries_router],
        consumers=consumers,
        workers=workers,
        clock=the_clock,
    )
