"""notify's runtime type and FastAPI dependencies (``Annotated`` aliases)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated, cast

from fastapi import Depends, Request

from gridcase_events.kit.runtime import Runtime, SessionDep
from notify.channels.registry import Channels
from notify.config import NotifySettings

__all__ = ["NotifyRuntime", "NotifyState", "RuntimeDep", "SessionDep", "SettingsDep"]


@dataclass(frozen=True)
class NotifyState:
    """What notify builds at start-up: its channels, and the signal that deliveries
    were planned (the consumers set it on commit; the delivery worker waits on it)."""

    channels: Channels
    deliveries_due: asyncio.Event = field(default_factory=asyncio.Event)


NotifyRuntime = Runtime[NotifySettings, NotifyState]


def get_runtime(request: Request) -> NotifyRuntime:
    return cast(NotifyRuntime, request.app.state.runtime)


def get_settings(request: Request) -> NotifySettings:
    return get_runtime(request).settings


RuntimeDep = Annotated[NotifyRuntime, Depends(get_runtime)]
SettingsDep = Annotated[NotifySettings, Depends(get_settings)]
