"""All of escalation's SQL about the ladder's rungs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.ladder.models import LadderLevel


async def levels(session: AsyncSession, unit: str) -> Sequence[LadderLevel]:
    result = await session.execute(
        select(LadderLevel).where(LadderLevel.unit == unit).order_by(LadderLevel.level)
    )
    return result.scalars().all()


async def level(session: AsyncSession, unit: str, number: int) -> LadderLevel | None:
    result = await session.execute(
        select(LadderLevel).where(LadderLevel.unit == unit, LadderLevel.level == number)
    )
    return result.scalar_one_or_none()


async def locked_levels(session: AsyncSession, unit: str) -> Sequence[LadderLevel]:
    """The unit's rungs, locked until the transaction ends and read afresh (a version
    check)."""
    result = await session.execute(
        select(LadderLevel)
        .where(LadderLevel.unit == unit)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalars().all()


async def replace(session: AsyncSession, unit: str, rows: Sequence[Mapping[str, object]]) -> None:
    await session.execute(delete(LadderLevel).where(LadderLevel.unit == unit))
    session.add_all(LadderLevel(**row) for row in rows)
    await session.flush()
