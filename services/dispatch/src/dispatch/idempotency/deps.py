"""``Idempotency-Key`` on dispatch's case actions (签收, 退单, 办结, 派遣 …): the kit's
sequence (:mod:`gridcase_events.kit.idempotency`, which tells the rules) on dispatch's
own keys. A phone that replays its offline queue, or a desk whose click is sent twice,
acts once: a repeat by the same person with the same key and body gets the first
answer (status and body, ``Idempotent-Replayed: true``); the same key with another
body is 422. Keys expire after ``DISPATCH_IDEMPOTENCY_TTL_SECONDS`` (default 24 h)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.deps import RuntimeDep
from dispatch.idempotency.models import idempotency_keys
from gridcase_events.kit import idempotency
from gridcase_events.kit.auth import Principal
from gridcase_events.kit.idempotency import HEADER, HEADER_DESCRIPTION, Key, respond

__all__ = ["IdempotencyDep", "once", "store"]

T = TypeVar("T")

store = idempotency.IdempotencyStore(service="dispatch", table=idempotency_keys)


async def get_key(
    request: Request,
    runtime: RuntimeDep,
    idempotency_key: Annotated[
        str | None, Header(alias=HEADER, description=HEADER_DESCRIPTION)
    ] = None,
) -> Key | None:
    return idempotency.key_for(
        idempotency_key,
        method=request.method,
        path=request.url.path,
        now=runtime.clock.now(),
        ttl=timedelta(seconds=runtime.settings.idempotency_ttl_seconds),
    )


IdempotencyDep = Annotated[Key | None, Depends(get_key)]


async def once(
    *,
    session: AsyncSession,
    key: Key | None,
    principal: Principal,
    payload: Any,
    effect: Callable[[], Awaitable[T]],
) -> T | JSONResponse:
    """Runs a case action once per key and person, in the request's transaction; a
    repeat answers with the first outcome (200)."""
    return respond(
        await store.idempotent(
            session=session,
            key=key,
            scope=f"staff:{principal.sub}",
            payload=payload,
            effect=effect,
            status_code=200,
        )
    )
