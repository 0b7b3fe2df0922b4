from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.robots.models import Robot


async def put(session: AsyncSession, values: dict[str, Any]) -> Robot:
    stmt = insert(Robot).values(**values)
    result = await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Robot.code, Robot.channel],
            set_={
                "url": stmt.excluded.url,
                "updated_at": stmt.excluded.updated_at,
                "updated_by": stmt.excluded.updated_by,
            },
        ).returning(Robot)
    )
    return result.scalar_one()


async def get(session: AsyncSession, *, code: str, channel: str) -> Robot | None:
    return await session.get(Robot, (code, channel))


async def of_codes(session: AsyncSession, codes: Sequence[str]) -> Sequence[Robot]:
    result = await session.execute(select(Robot).where(Robot.code.in_(codes)))
    return result.scalars().all()


async def all_robots(session: AsyncSession) -> Sequence[Robot]:
    result = await session.execute(select(Robot).order_by(Robot.code, Robot.channel))
    return result.scalars().all()
