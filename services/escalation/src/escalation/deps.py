"""escalation's runtime type and its FastAPI dependencies (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from escalation.config import EscalationSettings
from gridcase_events.kit.runtime import Runtime

__all__ = ["EscalationRuntime", "RuntimeDep", "SettingsDep"]

EscalationRuntime = Runtime[EscalationSettings, None]
"""escalation builds nothing beside the kit's parts at start-up: its state is None."""


def get_runtime(request: Request) -> EscalationRuntime:
    # The one cast: the app built by escalation.main holds an EscalationRuntime.
    return cast(EscalationRuntime, request.app.state.runtime)


def get_settings(runtime: Annotated[EscalationRuntime, Depends(get_runtime)]) -> EscalationSettings:
    return runtime.settings


RuntimeDep = Annotated[EscalationRuntime, Depends(get_runtime)]
SettingsDep = Annotated[EscalationSettings, Depends(get_settings)]
