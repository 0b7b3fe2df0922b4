"""intake: every channel in — nothing lost, nothing doubled."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.types import Scope

from gridcase_events.kit import text
from gridcase_events.kit.bodylimit import MULTIPART_OVERHEAD, LimitFor
from gridcase_events.kit.clock import Clock
from gridcase_events.kit.runtime import create_service_app
from intake import models  # noqa: F401 - registers the tables
from intake.admission import PushAdmission
from intake.attachments.endpoints import router as attachments_router
from intake.attachments.purge import OrphanPurge
from intake.cases.endpoints import router as cases_router
from intake.config import IntakeSettings
from intake.consumers import consumers
from intake.db import schema
from intake.deps import IntakeRuntime, IntakeState, build_state, push_bound
from intake.hotline.endpoints import router as hotline_router
from intake.open311.endpoints import router as open311_router
from intake.pages.endpoints import router as pages_router
from intake.patrols.endpoints import router as patrols_router
from intake.visits.endpoints import router as visits_router
from intake.walls.endpoints import photos_router as wall_photos_router
from intake.walls.endpoints import router as walls_router


def body_limits(settings: IntakeSettings) -> LimitFor:
    """Uploads get the attachment size, the hotline push checks its own (it must read
    the exact signed bytes), everything else ``max_body_bytes``."""

    def limit_for(scope: Scope) -> int | None:
        path: str = scope["path"]
        if path.startswith("/v1/hotline/"):
            return None
        if path == "/v1/attachments" or (
            path.startswith("/v1/public/walls/") and path.endswith("/attachments")
        ):
            return settings.attachments_max_bytes + MULTIPART_OVERHEAD
        return settings.max_body_bytes

    return limit_for


HOTLINE_PUSHES = ("/v1/hotline/tickets", "/v1/hotline/tickets:batch")


def create_app(settings: IntakeSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    pushes = push_bound(settings, clock)

    async def state(runtime: IntakeRuntime) -> IntakeState:
        return await build_state(runtime, pushes=pushes)

    app = create_service_app(
        service="intake",
        title="gridcase intake",
        description="Takes residents' demands in from the 12345 hotline, Open311 clients and other channels.",
        settings=settings,
        schema=schema,
        routers=[
            hotline_router,
            cases_router,
            walls_router,
            patrols_router,
            visits_router,
            attachments_router,
            wall_photos_router,
            open311_router,
            pages_router,
        ],
        consumers=consumers,
        workers=lambda runtime: [OrphanPurge(runtime)],
        state=state,
        clock=clock,
        body_limit=body_limits(settings),
    )
    app.add_exception_handler(RequestValidationError, text.validation_error)
    # Outermost (added last): a refused push is answered before anything else runs.
    app.add_middleware(PushAdmission, pushes=pushes, paths=HOTLINE_PUSHES)
    return app
