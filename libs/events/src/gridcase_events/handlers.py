"""Typed event handlers, registered by payload class.

A service's ``consumers.py`` declares its handlers once, at import time::

    handlers = Handlers[DispatchRuntime]()

    @handlers.on(payloads.CaseReported)
    async def on_reported(ctx: Context[DispatchRuntime], reported: payloads.CaseReported) -> None:
        await workflow_service.take_in(session=ctx.session, runtime=ctx.runtime, ...)

The event type name comes from the registry (the payload class's ``@event_type``), so a
handler can only be bound to a type that exists, and the handler receives the payload as
its own class — no ``Any``, no ``assert isinstance``. :meth:`Handlers.bind` turns the
declarations into the plain ``{type: handler}`` mapping the consumer runner calls, with
the runtime bound in. The consumer runner keeps the unit of work: one transaction per
event, the inbox row in it, commit after the handler returns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import registry
from gridcase_events.consumer import Handler
from gridcase_events.envelope import Envelope

R = TypeVar("R")
P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class Context(Generic[R]):
    """What a handler works with: the transaction, the event around the payload, and the
    service's runtime (settings, clock, state, emit)."""

    session: AsyncSession
    event: Envelope
    runtime: R


TypedHandler = Callable[[Context[R], P], Awaitable[None]]


class Handlers(Generic[R]):
    """The handlers of one consumer group, by payload class."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple[type[BaseModel], ...], Any]] = {}

    @overload
    def on(self, model: type[P], /) -> Callable[[TypedHandler[R, P]], TypedHandler[R, P]]: ...

    @overload
    def on(
        self, first: type[BaseModel], second: type[BaseModel], /, *more: type[BaseModel]
    ) -> Callable[[TypedHandler[R, Any]], TypedHandler[R, Any]]: ...

    def on(self, *models: type[Any]) -> Callable[[TypedHandler[R, Any]], TypedHandler[R, Any]]:
        """Registers the decorated function for the event types of `models` (several
        classes for several versions or several types handled alike: the function's
        payload parameter is then their union, checked when an event arrives)."""
        if not models:
            raise ValueError("on() needs at least one payload class")

        def register(handler: TypedHandler[R, Any]) -> TypedHandler[R, Any]:
            for model in models:
                name = registry.spec_of(model).type
                known, existing = self._entries.get(name, ((), None))
                if existing is not None and existing is not handler:
                    raise ValueError(f"{name} has two handlers in one consumer group")
                self._entries[name] = ((*known, model), handler)
            return handler

        return register

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self._entries)

    def bind(self, runtime: R) -> Mapping[str, Handler]:
        """The consumer runner's mapping, with `runtime` bound into each context."""
        return {
            name: _bound(runtime, models, handler)
            for name, (models, handler) in self._entries.items()
        }


def _bound(runtime: R, models: tuple[type[BaseModel], ...], handler: Any) -> Handler:
    async def handle(session: AsyncSession, event: Envelope, payload: Any) -> None:
        if not isinstance(payload, models):
            # A version of the type this consumer was not written for: the registry
            # parsed it into another class. Fail loudly (retries, then the DLQ).
            raise TypeError(
                f"{event.type} v{event.version} arrived as {type(payload).__name__}; "
                f"this consumer handles {', '.join(m.__name__ for m in models)}"
            )
        await handler(Context(session=session, event=event, runtime=runtime), payload)

    return handle
