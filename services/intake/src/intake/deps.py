"""Intake's runtime type and its FastAPI dependencies (``Annotated`` aliases)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request

from gridcase_events.kit.runtime import Runtime, SessionDep
from intake.attachments.storage import Storage, create_storage
from intake.config import IntakeSettings

__all__ = [
    "IntakeRuntime",
    "IntakeState",
    "RuntimeDep",
    "SessionDep",
    "SettingsDep",
    "StorageDep",
    "build_state",
]


@dataclass(frozen=True)
class IntakeState:
    """What intake builds at start-up beside the kit's parts."""

    storage: Storage


IntakeRuntime = Runtime[IntakeSettings, IntakeState]


async def build_state(runtime: IntakeRuntime) -> IntakeState:
    return IntakeState(storage=create_storage(runtime.settings))


def get_runtime(request: Request) -> IntakeRuntime:
    return cast(IntakeRuntime, request.app.state.runtime)


RuntimeDep = Annotated[IntakeRuntime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> IntakeSettings:
    return runtime.settings


SettingsDep = Annotated[IntakeSettings, Depends(get_settings)]


def get_storage(runtime: RuntimeDep) -> Storage:
    return runtime.state.storage


StorageDep = Annotated[Storage, Depends(get_storage)]
