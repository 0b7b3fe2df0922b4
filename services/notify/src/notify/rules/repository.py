from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.rules.models import Rule


async def get(session: AsyncSession, event_type: str, *, for_update: bool = False) -> Rule | None:
    """The rule; `for_update` locks its row until the transaction ends (read afresh)."""
    return await session.get(
        Rule, event_type, with_for_update=for_update or None, populate_existing=for_update
    )


async def all_rules(session: AsyncSession) -> Sequence[Rule]:
    return (await session.execute(select(Rule).order_by(Rule.event_type))).scalars().all()


async def put(session: AsyncSession, values: dict[str, Any]) -> Rule:
    stmt = insert(Rule).values(**values)
    result = await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Rule.event_type],
            set_={k: stmt.excluded[k] for k in values if k != "event_type"},
        ).returning(Rule)
    )
    return result.scalar_one()
