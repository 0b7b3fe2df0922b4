"""FastAPI dependencies of escalation (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from escalation.config import EscalationSettings
from gridcase_events.kit.runtime import RuntimeDep

__all__ = ["RuntimeDep", "SettingsDep"]


def get_settings(request: Request) -> EscalationSettings:
    return cast(EscalationSettings, request.app.state.runtime.settings)


SettingsDep = Annotated[EscalationSettings, Depends(get_settings)]
