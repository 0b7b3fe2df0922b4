"""All SQL of saved views."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.views.models import SavedView


async def of_owner(session: AsyncSession, owner_id: str) -> Sequence[SavedView]:
    result = await session.execute(
        select(SavedView)
        .where(SavedView.owner_id == owner_id)
        .order_by(SavedView.created_at, SavedView.name)
    )
    return result.scalars().all()


async def count_of(session: AsyncSession, owner_id: str) -> int:
    result = await session.execute(select(func.count()).where(SavedView.owner_id == owner_id))
    return int(result.scalar_one())


async def named(session: AsyncSession, owner_id: str, name: str) -> SavedView | None:
    result = await session.execute(
        select(SavedView).where(SavedView.owner_id == owner_id, SavedView.name == name)
    )
    return result.scalar_one_or_none()


async def add(session: AsyncSession, view: SavedView) -> None:
    session.add(view)
    await session.flush()


async def remove(session: AsyncSession, *, owner_id: str, view_id: UUID) -> bool:
    result = await session.execute(
        delete(SavedView)
        .where(SavedView.id == view_id, SavedView.owner_id == owner_id)
        .returning(SavedView.id)
    )
    return result.first() is not None
