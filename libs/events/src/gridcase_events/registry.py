"""The registry of versioned event types.

Each payload class is registered once under its (type, version) pair with
:func:`event_type`; consumers parse incoming data through :func:`parse`, so a payload
that does not match its schema fails loudly and goes to the dead-letter topic.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

_M = TypeVar("_M", bound=type[BaseModel])


@dataclass(frozen=True)
class EventSpec:
    type: str
    version: int
    model: builtins.type[BaseModel]


class UnknownEventType(LookupError):
    """No payload schema is registered for this (type, version)."""


_by_key: dict[tuple[str, int], EventSpec] = {}
_by_model: dict[type[BaseModel], EventSpec] = {}


def event_type(name: str, version: int = 1) -> Callable[[_M], _M]:
    """Class decorator: registers a pydantic model as the payload of `name` v`version`."""

    def register(model: _M) -> _M:
        key = (name, version)
        if key in _by_key and _by_key[key].model is not model:
            raise ValueError(f"event type {name} v{version} is registered twice")
        spec = EventSpec(type=name, version=version, model=model)
        _by_key[key] = spec
        _by_model[model] = spec
        return model

    return register


def spec_of(model: type[BaseModel]) -> EventSpec:
    try:
        return _by_model[model]
    except KeyError:
        raise UnknownEventType(f"{model.__name__} is not a registered event payload") from None


def lookup(name: str, version: int) -> EventSpec:
    try:
        return _by_key[(name, version)]
    except KeyError:
        raise UnknownEventType(f"no schema for event type {name} v{version}") from None


def known_types() -> set[str]:
    return {name for name, _ in _by_key}


def parse(name: str, version: int, data: dict[str, Any]) -> BaseModel:
    return lookup(name, version).model.model_validate(data)
