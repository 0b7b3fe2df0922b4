"""All of intake's SQL about rate counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.ratelimits.models import RateCounter


async def increment(session: AsyncSession, *, key: str, window_start: datetime) -> int:
    """Adds one to the window's counter (atomically, across replicas); the new count."""
    statement = insert(RateCounter).values(key=key, window_start=window_start, count=1)
    result = await session.execute(
        statement.on_conflict_do_update(
            index_elements=[RateCounter.key, RateCounter.window_start],
            set_={"count": RateCounter.count + 1},
        ).returning(RateCounter.count)
    )
    return int(result.scalar_one())


async def add_within(
    session: AsyncSession, *, key: str, window_start: datetime, amount: int, limit: int
) -> bool:
    """Adds `amount` to the window's counter if the total stays within `limit`
    (atomically, across replicas); ``False`` (and nothing added) otherwise."""
    if amount > limit:
        return False
    statement = insert(RateCounter).values(key=key, window_start=window_start, count=amount)
    result = await session.execute(
        statement.on_conflict_do_update(
            index_elements=[RateCounter.key, RateCounter.window_start],
            set_={"count": RateCounter.count + statement.excluded.count},
            where=RateCounter.count + statement.excluded.count <= limit,
        ).returning(RateCounter.count)
    )
    return result.first() is not None


async def forget_before(session: AsyncSession, *, key: str, window_start: datetime) -> None:
    await session.execute(
        delete(RateCounter).where(RateCounter.key == key, RateCounter.window_start < window_start)
    )


async def purge_before(session: AsyncSession, *, before: datetime, limit: int = 100) -> None:
    """Deletes up to `limit` counters of windows that started before `before` (keys that
    never came back), skipping rows other transactions hold."""
    stale = (
        select(RateCounter.key, RateCounter.window_start)
        .where(RateCounter.window_start < before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    await session.execute(
        delete(RateCounter).where(tuple_(RateCounter.key, RateCounter.window_start).in_(stale))
    )
