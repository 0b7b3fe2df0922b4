"""FastAPI dependencies of intake (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from gridcase_events.kit.runtime import RuntimeDep
from intake.config import IntakeSettings

__all__ = ["RuntimeDep", "SettingsDep"]


def get_settings(request: Request) -> IntakeSettings:
    return cast(IntakeSettings, request.app.state.runtime.settings)


SettingsDep = Annotated[IntakeSettings, Depends(get_settings)]
