"""FastAPI dependencies of notify (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from gridcase_events.kit.runtime import RuntimeDep
from notify.config import NotifySettings

__all__ = ["RuntimeDep", "SettingsDep"]


def get_settings(request: Request) -> NotifySettings:
    return cast(NotifySettings, request.app.state.runtime.settings)


SettingsDep = Annotated[NotifySettings, Depends(get_settings)]
