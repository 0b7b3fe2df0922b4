"""dispatch: every case reaches the right grid or department, and a person."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from dispatch import models  # noqa: F401 - registers the tables
from dispatch.audit.endpoints import router as audit_router
from dispatch.config import DispatchSettings
from dispatch.consumers import consumers
from dispatch.db import schema
from dispatch.deps import DispatchState
from dispatch.devsignin import endpoints as devsignin
from dispatch.directory.cache import DirectoryCache
from dispatch.directory.endpoints import router as directory_router
from dispatch.handoffs.endpoints import router as handoffs_router
from dispatch.maps.endpoints import router as maps_router
from dispatch.phrases.endpoints import router as phrases_router
from dispatch.queues.endpoints import router as queues_router
from dispatch.routing.index import RoutingIndexCache
from dispatch.search.endpoints import router as search_router
from dispatch.signin.endpoints import router as signin_router
from dispatch.views.endpoints import router as views_router
from dispatch.workflow.endpoints import router as workflow_router
from gridcase_events.kit.bodylimit import default_limits
from gridcase_events.kit.clock import Clock
from gridcase_events.kit.runtime import Runtime, create_service_app


async def build_state(runtime: Runtime[DispatchSettings, Any]) -> DispatchState:
    """The state, built once the database is migrated (``create_service_app(state=...)``)."""
    return DispatchState(
        routing_index=RoutingIndexCache(fuzzy_threshold=runtime.settings.routing_fuzzy_threshold),
        directory=DirectoryCache(),
    )


def create_app(settings: DispatchSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or DispatchSettings()
    return create_service_app(
        service="dispatch",
        title="gridcase dispatch",
        description="The directory, routing, assignment and the case workflow.",
        settings=settings,
        schema=schema,
        routers=[
            directory_router,
            workflow_router,
            search_router,
            handoffs_router,
            queues_router,
            views_router,
            phrases_router,
            maps_router,
            signin_router,
            audit_router,
            *devsignin.routers(settings),
        ],
        consumers=consumers,
        state=build_state,
        clock=clock,
        # A directory file may be as large as the import allows.
        body_limit=default_limits(settings, upload_bytes=settings.max_import_bytes),
    )
