"""``Idempotency-Key`` for the services' POST endpoints, once for all of them.

Follows the IETF httpapi draft "The Idempotency-Key HTTP Header Field"
(draft-ietf-httpapi-idempotency-key-header, section 2.7 "Error Scenarios"):

- a request without the header is processed normally (the header is optional);
- a malformed key → 400;
- the same key reused with a *different* request payload → **422 Unprocessable
  Content** (the draft's recommendation; the fingerprint covers method, path and
  payload);
- a request while the first with the same key is still being processed: the draft
  suggests 409; the kit instead *waits* on the key's row lock and then replays the
  first outcome, so concurrent repeats yield exactly one effect and the same answer.

A key is scoped to its caller (a staff id, or a wall and client address for anonymous
submissions) and expires after the service's configured time; expired keys are purged
lazily by later requests. Only successful outcomes are stored: a request that fails
(4xx) changes nothing, so it may be retried with the same key.

Each service keeps its keys in its own schema (:func:`idempotency_table`, one
``idempotency_keys`` table) and binds an :class:`IdempotencyStore` to it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from prometheus_client import Counter
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    MetaData,
    SmallInteger,
    String,
    Table,
    delete,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit.errors import DomainError, Invalid

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
HEADER_DESCRIPTION = (
    "1..255 printable ASCII characters; a repeat by the same caller returns the first "
    f"response (with `{REPLAYED_HEADER}: true`) without acting again, a reuse with another "
    "payload is 422"
)

T = TypeVar("T")


class KeyReused(Invalid):
    """The key was first used with another request payload (→ 422)."""


class InvalidKey(DomainError):
    """The header is not a key of 1..255 printable ASCII characters (→ 400)."""

    code = "invalid_idempotency_key"


@dataclass(frozen=True)
class Replay:
    """The stored outcome of the first request with a key."""

    status_code: int
    body: Any


@dataclass(frozen=True)
class Key:
    """One request's Idempotency-Key, with what the fingerprint covers besides the
    payload (method and path), the request's time and how long the key is kept."""

    value: str
    method: str
    path: str
    now: datetime
    ttl: timedelta


def idempotency_table(metadata: MetaData) -> Table:
    """The outcome of the first request made with an ``Idempotency-Key``, per caller
    (``scope``), in the service's own schema.

    The row is written in the same transaction as the request's effect, so a key is
    either absent (the effect did not happen) or complete with its response.
    """
    return Table(
        "idempotency_keys",
        metadata,
        Column("scope", String(200), primary_key=True),
        Column("key", String(255), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("status_code", SmallInteger),
        # JSON, not JSONB: a replay returns the body as it was, keys in their order.
        Column("response_body", JSON),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )


def parse_key(value: str) -> str:
    """The key from the header. A structured-field string (``"abc"``, as the draft
    writes it) and a bare token (``abc``, as most clients send it) are both accepted."""
    key = value.strip()
    if len(key) >= 2 and key.startswith('"') and key.endswith('"'):
        key = key[1:-1]
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise InvalidKey(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters")
    if any(not 0x20 <= ord(c) <= 0x7E for c in key):
        raise InvalidKey(f"{HEADER} must be printable ASCII")
    return key


def key_for(
    raw_key: str | None, *, method: str, path: str, now: datetime, ttl: timedelta
) -> Key | None:
    """The request's key (``None`` without one). Raises :class:`InvalidKey` (400)."""
    if raw_key is None:
        return None
    return Key(value=parse_key(raw_key), method=method, path=path, now=now, ttl=ttl)


def fingerprint(*, method: str, path: str, payload: Any) -> str:
    """A hash of what the request asks for: equal payloads in any key order or
    whitespace hash alike."""
    canonical = json.dumps(
        [method.upper(), path, payload], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def outcome(
    *, stored_fingerprint: str, status_code: int | None, body: Any, fingerprint: str
) -> Replay:
    """What a repeat gets: the first outcome, if it asks for the same thing."""
    if stored_fingerprint != fingerprint:
        raise KeyReused(
            f"this {HEADER} was used for a different request; use a new key for a new request"
        )
    if status_code is None:
        # Cannot be seen after the first transaction committed: the row is written
        # complete. Kept as a guard (the draft's 409 "request in progress").
        raise RuntimeError("idempotency key without an outcome")
    return Replay(status_code=status_code, body=body)


def respond(result: T | Replay) -> T | JSONResponse:
    """The endpoint's answer: its result, or a repeat's stored first answer marked
    ``Idempotent-Replayed: true``."""
    if isinstance(result, Replay):
        return JSONResponse(
            result.body, status_code=result.status_code, headers={REPLAYED_HEADER: "true"}
        )
    return result


@dataclass(frozen=True)
class _Claim:
    """A first request's row: its key, fingerprint, time and expiry."""

    scope: str
    key: str
    fingerprint: str
    now: datetime
    expires_at: datetime


_REPLAYS: dict[str, Counter] = {}


def _replays_counter(service: str) -> Counter:
    if service not in _REPLAYS:
        _REPLAYS[service] = Counter(
            f"gridcase_{service}_idempotent_replays_total",
            "POST requests answered from a stored Idempotency-Key outcome",
        )
    return _REPLAYS[service]


@dataclass(frozen=True)
class IdempotencyStore:
    """A service's keys (its :func:`idempotency_table`) and the key sequence on them."""

    service: str
    table: Table
    replays: Counter = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "replays", _replays_counter(self.service))

    # ----------------------------------------------------------------------- SQL

    async def _claim(self, session: AsyncSession, claim: _Claim) -> bool:
        """Inserts the key unless it exists. A concurrent transaction holding the same
        key makes this wait until it commits (then: conflict) or rolls back (then:
        inserted)."""
        t = self.table
        result = await session.execute(
            insert(t)
            .values(
                scope=claim.scope,
                key=claim.key,
                fingerprint=claim.fingerprint,
                created_at=claim.now,
                expires_at=claim.expires_at,
            )
            .on_conflict_do_nothing()
            .returning(t.c.key)
        )
        return result.first() is not None

    async def _get_for_update(self, session: AsyncSession, *, scope: str, key: str) -> Any:
        t = self.table
        result = await session.execute(
            select(t).where(t.c.scope == scope, t.c.key == key).with_for_update()
        )
        return result.first()

    async def _restart(self, session: AsyncSession, claim: _Claim) -> None:
        """Reuses an expired key's row for a new first request."""
        t = self.table
        await session.execute(
            update(t)
            .where(t.c.scope == claim.scope, t.c.key == claim.key)
            .values(
                fingerprint=claim.fingerprint,
                status_code=None,
                response_body=None,
                created_at=claim.now,
                expires_at=claim.expires_at,
            )
        )

    async def _complete(
        self, session: AsyncSession, *, scope: str, key: str, status_code: int, body: Any
    ) -> None:
        t = self.table
        await session.execute(
            update(t)
            .where(t.c.scope == scope, t.c.key == key)
            .values(status_code=status_code, response_body=body)
        )

    async def purge_expired(self, session: AsyncSession, *, now: datetime, limit: int = 100) -> int:
        """Deletes up to `limit` expired keys, skipping rows other transactions hold."""
        t = self.table
        expired = (
            select(t.c.scope, t.c.key)
            .where(t.c.expires_at < now)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        result = await session.execute(
            delete(t).where(tuple_(t.c.scope, t.c.key).in_(expired)).returning(t.c.key)
        )
        return len(result.all())

    # --------------------------------------------------------------------- rules

    async def begin(
        self,
        *,
        session: AsyncSession,
        scope: str,
        key: str,
        fingerprint: str,
        now: datetime,
        ttl: timedelta,
    ) -> Replay | None:
        """Claims the key in the caller's transaction. ``None``: this is the first
        request (go on, then :meth:`complete`); a :class:`Replay`: answer with it and do
        nothing."""
        await self.purge_expired(session, now=now)
        claim = _Claim(scope=scope, key=key, fingerprint=fingerprint, now=now, expires_at=now + ttl)
        if await self._claim(session, claim):
            return None
        row = await self._get_for_update(session, scope=scope, key=key)
        if row is None and await self._claim(session, claim):
            # Purged between the conflict and the read: claimed afresh.
            return None
        if row is None or row.expires_at <= now:
            await self._restart(session, claim)
            return None
        replay = outcome(
            stored_fingerprint=row.fingerprint,
            status_code=row.status_code,
            body=row.response_body,
            fingerprint=fingerprint,
        )
        self.replays.inc()
        return replay

    async def complete(
        self, *, session: AsyncSession, scope: str, key: str, status_code: int, body: Any
    ) -> None:
        await self._complete(session, scope=scope, key=key, status_code=status_code, body=body)

    async def idempotent(
        self,
        *,
        session: AsyncSession,
        key: Key | None,
        scope: str,
        payload: Any,
        effect: Callable[[], Awaitable[T]],
        status_code: int = 201,
    ) -> T | Replay:
        """The Idempotency-Key sequence, in the caller's transaction: a repeat gets the
        first request's stored :class:`Replay` (and `effect` does not run); a first
        request runs `effect` and remembers its result as the answer with `status_code`.
        The same key with another `payload` is :class:`KeyReused` (422). Concurrent
        repeats wait on the key's row lock, so `effect` happens once. Without a key,
        `effect` just runs."""
        if key is None:
            return await effect()
        replay = await self.begin(
            session=session,
            scope=scope,
            key=key.value,
            fingerprint=fingerprint(
                method=key.method, path=key.path, payload=jsonable_encoder(payload)
            ),
            now=key.now,
            ttl=key.ttl,
        )
        if replay is not None:
            return replay
        result = await effect()
        await self.complete(
            session=session,
            scope=scope,
            key=key.value,
            status_code=status_code,
            body=jsonable_encoder(result),
        )
        return result
