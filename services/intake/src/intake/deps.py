"""Intake's runtime type and its FastAPI dependencies (``Annotated`` aliases)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request

from gridcase_events.kit.clock import Clock, SystemClock
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
    "build_state",
    "push_bound",
]


@dataclass(frozen=True)
class IntakeState:
    """What intake builds at start-up beside the kit's parts."""

    storage: Storage
    pushes: InFlight  # hotline pushes in flight (INTAKE_MAX_IN_FLIGHT, INTAKE_MAX_LOOP_LAG_MS)
    boundaries: Boundaries  # the districts' boundary from the imported grids


IntakeRuntime = Runtime[IntakeSettings, IntakeState]


def push_bound(settings: IntakeSettings, clock: Clock | None = None) -> InFlight:
    """The hotline pushes' bound of this process, from its settings."""
    now = (clock or SystemClock()).now
    return InFlight(
        limit=settings.max_in_flight,
        retry_after=settings.retry_after_seconds,
        max_lag=settings.max_loop_lag_ms / 1000,
        max_age=settings.max_push_age_seconds,
        now=lambda: now().timestamp(),
    )


async def build_state(runtime: IntakeRuntime, *, pushes: InFlight | None = None) -> IntakeState:
    """`pushes`: the bound the app's admission middleware counts with (one per app)."""
    settings = runtime.settings
    return IntakeState(
        storage=create_storage(settings),
        pushes=pushes or push_bound(settings),
        boundaries=Boundaries(margin_m=settings.boundary_margin_m),
    )


def get_runtime(request: Request) -> IntakeRuntime:
    return cast(IntakeRuntime, request.app.state.runtime)


async def runtime_dependency(request: Request) -> IntakeRuntime:
    """:func:`get_runtime` as a dependency. ``async``, as are the other dependencies
    here: FastAPI runs a plain ``def`` dependency in a worker thread, a thread hand-off
    per request for an attribute read (docs/benchmarks.md, issue 18)."""
    return get_runtime(request)


RuntimeDep = Annotated[IntakeRuntime, Depends(runtime_dependency)]


async def get_settings(runtime: RuntimeDep) -> IntakeSettings:
    return runtime.settings


SettingsDep = Annotated[IntakeSettings, Depends(get_settings)]


async def get_storage(runtime: RuntimeDep) -> Storage:
    return runtime.state.storage


StorageDep = Annotated[Storage, Depends(get_storage)]
