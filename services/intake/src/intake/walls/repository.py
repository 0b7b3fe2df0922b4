"""All of intake's SQL about wish walls."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.walls.models import Wall, Wish


async def add_if_new(session: AsyncSession, values: dict[str, Any]) -> bool:
    result = await session.execute(
        insert(Wall).values(**values).on_conflict_do_nothing().returning(Wall.id)
    )
    return result.first() is not None


async def get(session: AsyncSession, wall_id: str) -> Wall | None:
    return await session.get(Wall, wall_id)


async def get_for_update(session: AsyncSession, wall_id: str) -> Wall | None:
    return await session.get(Wall, wall_id, with_for_update=True)


async def change(session: AsyncSession, wall: Wall, values: dict[str, Any]) -> None:
    await session.execute(update(Wall).where(Wall.id == wall.id).values(**values))
    await session.refresh(wall)


async def list_walls(session: AsyncSession) -> list[Wall]:
    """Every wall (a district has hundreds at most; callers filter by scope)."""
    query = select(Wall).order_by(Wall.community_code, Wall.id)
    return list((await session.execute(query)).scalars())


async def add_wish(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(Wish).values(**values))
