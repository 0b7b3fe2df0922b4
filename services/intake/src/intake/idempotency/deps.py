"""The HTTP side of ``Idempotency-Key``: the header as a request dependency, and a
stored outcome as the answer. This domain has no routes of its own; a POST endpoint
takes :data:`IdempotencyDep` and runs its effect through
:func:`intake.idempotency.service.idempotent`::

    return respond(
        await idempotent(session=session, key=key, scope=..., payload=body, effect=...)
    )
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse

from intake.deps import RuntimeDep
from intake.idempotency import service
from intake.idempotency.schemas import Key, Replay
from intake.idempotency.service import HEADER, REPLAYED_HEADER

T = TypeVar("T")


def key_for(raw_key: str | None, *, request: Request, runtime: RuntimeDep) -> Key | None:
    """The request's key (``None`` without one): from the header, or some other way (a
    form's hidden token). Raises ``service.InvalidKey`` (400) for a malformed key."""
    if raw_key is None:
        return None
    return Key(
        value=service.parse_key(raw_key),
        method=request.method,
        path=request.url.path,
        now=runtime.clock.now(),
        ttl=timedelta(seconds=runtime.settings.idempotency_ttl_seconds),
    )


async def get_key(
    request: Request,
    runtime: RuntimeDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            description="1..255 characters; a repeat returns the first response "
            f"(with `{REPLAYED_HEADER}: true`), a reuse with another payload is 422",
        ),
    ] = None,
) -> Key | None:
    return key_for(idempotency_key, request=request, runtime=runtime)


IdempotencyDep = Annotated[Key | None, Depends(get_key)]


def respond(outcome: T | Replay) -> T | JSONResponse:
    """The endpoint's answer: its result, or a repeat's stored first answer marked
    ``Idempotent-Replayed: true``."""
    if isinstance(outcome, Replay):
        return JSONResponse(
            outcome.body, status_code=outcome.status_code, headers={REPLAYED_HEADER: "true"}
        )
    return outcome
