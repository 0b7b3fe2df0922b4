"""``Idempotency-Key`` for intake's POST endpoints.

Follows the IETF httpapi draft "The Idempotency-Key HTTP Header Field"
(draft-ietf-httpapi-idempotency-key-header, section 2.7 "Error Scenarios"):

- a request without the header is processed normally (the header is optional here);
- a malformed key → 400;
- the same key reused with a *different* request payload → **422 Unprocessable
  Content** (the draft's recommendation; we fingerprint method, path and payload);
- a request while the first with the same key is still being processed: the draft
  suggests 409; intake instead *waits* on the key's row lock and then replays the
  first outcome, so concurrent repeats yield exactly one effect and the same answer.

A key is scoped to its caller (a staff id, or a wall and client address for anonymous
submissions) and expires after ``INTAKE_IDEMPOTENCY_TTL_SECONDS`` (default 24 h);
expired keys are purged lazily by later requests. Only successful outcomes are stored:
a request that fails (4xx) changes nothing, so it may be retried with the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from fastapi.encoders import jsonable_encoder
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit.errors import DomainError, Invalid
from intake.idempotency import repository
from intake.idempotency.schemas import Key, Replay

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

REPLAYS = Counter(
    "gridcase_intake_idempotent_replays_total",
    "POST requests answered from a stored Idempotency-Key outcome",
)


T = TypeVar("T")


class KeyReused(Invalid):
    """The key was first used with another request payload (→ 422)."""


class InvalidKey(DomainError):
    """The header is not a key of 1..255 printable ASCII characters (→ 400)."""

    code = "invalid_idempotency_key"


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


async def begin(
    *,
    session: AsyncSession,
    scope: str,
    key: str,
    fingerprint: str,
    now: datetime,
    ttl: timedelta,
) -> Replay | None:
    """Claims the key in the caller's transaction. ``None``: this is the first request
    (go on, then :func:`complete`); a :class:`Replay`: answer with it and do nothing."""
    await repository.purge_expired(session, now=now)
    expires_at = now + ttl
    if await repository.claim(
        session, scope=scope, key=key, fingerprint=fingerprint, now=now, expires_at=expires_at
    ):
        return None
    row = await repository.get_for_update(session, scope=scope, key=key)
    if row is None and await repository.claim(
        session, scope=scope, key=key, fingerprint=fingerprint, now=now, expires_at=expires_at
    ):
        # Purged between the conflict and the read: claimed afresh.
        return None
    if row is None or row.expires_at <= now:
        await repository.restart(
            session, scope=scope, key=key, fingerprint=fingerprint, now=now, expires_at=expires_at
        )
        return None
    replay = outcome(
        stored_fingerprint=row.fingerprint,
        status_code=row.status_code,
        body=row.response_body,
        fingerprint=fingerprint,
    )
    REPLAYS.inc()
    return replay


async def complete(
    *, session: AsyncSession, scope: str, key: str, status_code: int, body: Any
) -> None:
    await repository.complete(session, scope=scope, key=key, status_code=status_code, body=body)


async def idempotent(
    *,
    session: AsyncSession,
    key: Key | None,
    scope: str,
    payload: Any,
    effect: Callable[[], Awaitable[T]],
    status_code: int = 201,
) -> T | Replay:
    """The Idempotency-Key sequence, in the caller's transaction: a repeat gets the
    first request's stored :class:`Replay` (and `effect` does not run); a first request
    runs `effect` and remembers its result as the answer with `status_code`. The same
    key with another `payload` is :class:`KeyReused` (422). Concurrent repeats wait on
    the key's row lock, so `effect` happens once. Without a key, `effect` just runs."""
    if key is None:
        return await effect()
    replay = await begin(
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
    await complete(
        session=session,
        scope=scope,
        key=key.value,
        status_code=status_code,
        body=jsonable_encoder(result),
    )
    return result
