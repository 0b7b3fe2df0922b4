"""All of intake's SQL about idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.idempotency.models import IdempotencyKey


async def claim(
    session: AsyncSession,
    *,
    scope: str,
    key: str,
    fingerprint: str,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """Inserts the key unless it exists. A concurrent transaction holding the same key
    makes this wait until it commits (then: conflict) or rolls back (then: inserted)."""
    result = await session.execute(
        insert(IdempotencyKey)
        .values(
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            created_at=now,
            expires_at=expires_at,
        )
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    )
    return result.first() is not None


async def get_for_update(session: AsyncSession, *, scope: str, key: str) -> IdempotencyKey | None:
    result = await session.execute(
        select(IdempotencyKey)
        .where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def restart(
    session: AsyncSession,
    *,
    scope: str,
    key: str,
    fingerprint: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    """Reuses an expired key's row for a new first request."""
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
        .values(
            fingerprint=fingerprint,
            status_code=None,
            response_body=None,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def complete(
    session: AsyncSession, *, scope: str, key: str, status_code: int, body: Any
) -> None:
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
        .values(status_code=status_code, response_body=body)
    )


async def purge_expired(session: AsyncSession, *, now: datetime, limit: int = 100) -> int:
    """Deletes up to `limit` expired keys, skipping rows other transactions hold."""
    expired = (
        select(IdempotencyKey.scope, IdempotencyKey.key)
        .where(IdempotencyKey.expires_at < now)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        delete(IdempotencyKey)
        .where(tuple_(IdempotencyKey.scope, IdempotencyKey.key).in_(expired))
        .returning(IdempotencyKey.key)
    )
    return len(result.all())
