"""Intake's runtime type and its FastAPI dependencies (``Annotated`` aliases)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request

from gridcase_events.kit.runtime import Runtime, SessionDep
from intake.admission import InFlight
from intake.attachments.storage import Storage, create_storage
from intake.catalogue.service import Boundaries
from intake.config import IntakeSettings

__all__ = [
    "IntakeRuntime",
    "IntakeState",
    "RuntimeDep",
    "SessionDep",
    "SettingsDep",
    "StorageDep",
    "admit_push",
    "build_state",
]


@dataclass(frozen=True)
class IntakeState:
    """What intake builds at start-up beside the kit's parts."""

    storage: Storage
    pushes: InFlight  # hotline pushes in flight (INTAKE_MAX_IN_FLIGHT, INTAKE_MAX_LOOP_LAG_MS)
    boundaries: Boundaries  # the districts' boundary from the imported grids


IntakeRuntime = Runtime[IntakeSettings, IntakeState]


async def build_state(runtime: IntakeRuntime) -> IntakeState:
    settings = runtime.settings
    return IntakeState(
        storage=create_storage(settings),
        pushes=InFlight(
            limit=settings.max_in_flight,
            retry_after=settings.retry_after_seconds,
            max_lag=settings.max_loop_lag_ms / 1000,
        ),
        boundaries=Boundaries(margin_m=settings.boundary_margin_m),
    )


def get_runtime(request: Request) -> IntakeRuntime:
    return cast(IntakeRuntime, request.app.state.runtime)


RuntimeDep = Annotated[IntakeRuntime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> IntakeSettings:
    return runtime.settings


SettingsDep = Annotated[IntakeSettings, Depends(get_settings)]


def get_storage(runtime: RuntimeDep) -> Storage:
    return runtime.state.storage


StorageDep = Annotated[Storage, Depends(get_storage)]


async def admit_push(runtime: RuntimeDep) -> AsyncIterator[None]:
    """A place among the hotline pushes in flight, or 503 at once (``intake.admission``).
    A route's first dependency, so nothing else is done for a push refused."""
    with runtime.state.pushes.admit():
        yield
