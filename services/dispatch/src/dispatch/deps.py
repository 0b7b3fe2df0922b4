"""FastAPI dependencies of dispatch (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from dispatch.config import DispatchSettings
from gridcase_events.kit.runtime import RuntimeDep

__all__ = ["RuntimeDep", "SettingsDep"]


def get_settings(request: Request) -> DispatchSettings:
    return cast(DispatchSettings, request.app.state.runtime.settings)


SettingsDep = Annotated[DispatchSettings, Depends(get_settings)]
