"""Dispatch's runtime type and its FastAPI dependencies (``Annotated`` aliases)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import Depends, Request

from dispatch.config import DispatchSettings
from dispatch.directory.index import RoutingIndexCache
from gridcase_events.kit.runtime import Runtime

__all__ = ["DispatchRuntime", "DispatchState", "RuntimeDep", "SettingsDep", "build_state"]


@dataclass(frozen=True)
class DispatchState:
    """What dispatch builds at start-up beside the kit's parts."""

    routing_index: RoutingIndexCache


DispatchRuntime = Runtime[DispatchSettings, DispatchState]


async def build_state(runtime: Runtime[DispatchSettings, Any]) -> DispatchState:
    """The state, built once the database is migrated (``create_service_app(state=...)``)."""
    return DispatchState(
        routing_index=RoutingIndexCache(fuzzy_threshold=runtime.settings.routing_fuzzy_threshold)
    )


def get_runtime(request: Request) -> DispatchRuntime:
    return cast(DispatchRuntime, request.app.state.runtime)


RuntimeDep = Annotated[DispatchRuntime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> DispatchSettings:
    return runtime.settings


SettingsDep = Annotated[DispatchSettings, Depends(get_settings)]
