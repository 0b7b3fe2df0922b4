"""All SQL of canned phrases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.phrases.models import PhraseList


async def of_units(
    session: AsyncSession, units: Sequence[str], action: str | None
) -> Sequence[PhraseList]:
    query = select(PhraseList).where(PhraseList.unit.in_(units))
    if action is not None:
        query = query.where(PhraseList.action == action)
    return (await session.execute(query.order_by(PhraseList.action))).scalars().all()


async def locked(session: AsyncSession, *, unit: str, action: str) -> PhraseList | None:
    """The unit's list for the action, locked until the transaction ends."""
    result = await session.execute(
        select(PhraseList)
        .where(PhraseList.unit == unit, PhraseList.action == action)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalars().first()


async def put(
    session: AsyncSession, *, unit: str, action: str, phrases: list[str], by: str, at: datetime
) -> None:
    values = {"phrases": phrases, "updated_by": by, "updated_at": at}
    await session.execute(
        insert(PhraseList)
        .values(unit=unit, action=action, **values)
        .on_conflict_do_update(index_elements=["unit", "action"], set_=values)
    )
