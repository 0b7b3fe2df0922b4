"""The HTTP side of ``Idempotency-Key``: a request dependency for POST endpoints.

This domain has no routes of its own; endpoints use :data:`IdempotencyDep`::

    async with runtime.transaction() as session:
        replay = await idempotency.replay(session=session, scope=..., payload=...)
        if replay is not None:
            return replay
        ...  # the effect
        await idempotency.remember(session=session, status_code=201, body=result)
    return result
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from intake.config import IntakeSettings
from intake.deps import RuntimeDep, SettingsDep
from intake.idempotency import service
from intake.idempotency.service import HEADER, REPLAYED_HEADER


class Idempotency:
    """One request's idempotency key (or none: then every call is a no-op)."""

    def __init__(self, *, key: str | None, request: Request, runtime: Any, ttl: timedelta):
        self.key = key
        self._request = request
        self._runtime = runtime
        self._ttl = ttl
        self._scope: str | None = None

    async def replay(
        self, *, session: AsyncSession, scope: str, payload: Any
    ) -> JSONResponse | None:
        """The first request's response if this is a repeat; ``None`` otherwise."""
        if self.key is None:
            return None
        self._scope = scope
        try:
            replay = await service.begin(
                session=session,
                scope=scope,
                key=self.key,
                fingerprint=service.fingerprint(
                    method=self._request.method,
                    path=self._request.url.path,
                    payload=jsonable_encoder(payload),
                ),
                now=self._runtime.clock.now(),
                ttl=self._ttl,
            )
        except service.KeyReused as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        if replay is None:
            return None
        return JSONResponse(
            replay.body, status_code=replay.status_code, headers={REPLAYED_HEADER: "true"}
        )

    async def remember(self, *, session: AsyncSession, status_code: int, body: Any) -> None:
        if self.key is None or self._scope is None:
            return
        await service.complete(
            session=session,
            scope=self._scope,
            key=self.key,
            status_code=status_code,
            body=jsonable_encoder(body),
        )


def for_key(
    raw_key: str | None, *, request: Request, runtime: Any, settings: IntakeSettings
) -> Idempotency:
    """The idempotency of a request whose key came some other way than the header (a
    form's hidden token). Raises ``service.InvalidKey`` for a malformed key."""
    return Idempotency(
        key=service.parse_key(raw_key) if raw_key is not None else None,
        request=request,
        runtime=runtime,
        ttl=timedelta(seconds=settings.idempotency_ttl_seconds),
    )


async def get_idempotency(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            description="1..255 characters; a repeat returns the first response "
            f"(with `{REPLAYED_HEADER}: true`), a reuse with another payload is 422",
        ),
    ] = None,
) -> Idempotency:
    try:
        return for_key(idempotency_key, request=request, runtime=runtime, settings=settings)
    except service.InvalidKey as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]
