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
from typing import Annotated

from fastapi import Depends, Header, Request

from gridcase_events.kit import idempotency
from gridcase_events.kit.idempotency import HEADER, HEADER_DESCRIPTION, Key, respond
from intake.deps import RuntimeDep

__all__ = ["IdempotencyDep", "get_key", "key_for", "respond"]


def key_for(raw_key: str | None, *, request: Request, runtime: RuntimeDep) -> Key | None:
    """The request's key (``None`` without one): from the header, or some other way (a
    form's hidden token). Raises ``InvalidKey`` (400) for a malformed key."""
    return idempotency.key_for(
        raw_key,
        method=request.method,
        path=request.url.path,
        now=runtime.clock.now(),
        ttl=timedelta(seconds=runtime.settings.idempotency_ttl_seconds),
    )


async def get_key(
    request: Request,
    runtime: RuntimeDep,
    idempotency_key: Annotated[
        str | None, Header(alias=HEADER, description=HEADER_DESCRIPTION)
    ] = None,
) -> Key | None:
    return key_for(idempotency_key, request=request, runtime=runtime)


IdempotencyDep = Annotated[Key | None, Depends(get_key)]
