"""dispatch: every case reaches the right grid or department, and a person."""

from __future__ import annotations

from fastapi import FastAPI

from dispatch import models  # noqa: F401 - registers the tables
from dispatch.config import DispatchSettings
from dispatch.consumers import consumers
from dispatch.db import schema
from dispatch.directory.endpoints import router as directory_router
from dispatch.routing.service import RoutingIndexCache
from dispatch.workflow.endpoints import router as workflow_router
from gridcase_events.kit.bodylimit import default_limits
from gridcase_events.kit.clock import Clock
from gridcase_events.kit.runtime import Runtime, create_service_app


def create_app(settings: DispatchSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or DispatchSettings()

    async def on_startup(runtime: Runtime) -> None:
        runtime.extras["routing_index"] = RoutingIndexCache(
            fuzzy_threshold=settings.routing_fuzzy_threshold
        )

    return create_service_app(
        service="dispatch",
        title="gridcase dispatch",
        description="The directory, routing, assignment and the case workflow.",
        settings=settings,
        schema=schema,
        routers=[directory_router, workflow_router],
        consumers=consumers,
        on_startup=on_startup,
        clock=clock,
        # A directory file may be as large as the import allows.
        body_limit=default_limits(settings, upload_bytes=settings.max_import_bytes),
    )
