"""Dispatch's runtime type and its FastAPI dependencies (``Annotated`` aliases)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, cast

from fastapi import Depends, Request

from dispatch.config import DispatchSettings
from gridcase_events.kit.runtime import Runtime

if TYPE_CHECKING:  # every domain imports deps: deps imports no domain at run time
    from dispatch.directory.cache import DirectoryCache
    from dispatch.routing.index import RoutingIndexCache

__all__ = ["DispatchRuntime", "DispatchState", "RuntimeDep", "SettingsDep"]


@dataclass(frozen=True)
class DispatchState:
    """What dispatch builds at start-up beside the kit's parts."""

    routing_index: RoutingIndexCache
    directory: DirectoryCache  # what taking a case in reads, per directory version


DispatchRuntime = Runtime[DispatchSettings, DispatchState]


def get_runtime(request: Request) -> DispatchRuntime:
    return cast(DispatchRuntime, request.app.state.runtime)


RuntimeDep = Annotated[DispatchRuntime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> DispatchSettings:
    return runtime.settings


SettingsDep = Annotated[DispatchSettings, Depends(get_settings)]
