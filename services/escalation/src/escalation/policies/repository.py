from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.policies.models import ANY, CITY, Policy


async def candidates(
    session: AsyncSession,
    *,
    category_code: str | None,
    priority: str,
    clock: str,
    district: str | None = None,
) -> Sequence[Policy]:
    result = await session.execute(
        select(Policy).where(
            Policy.district_code.in_([CITY, district or CITY]),
            Policy.clock == clock,
            Policy.category_code.in_([category_code or ANY, ANY]),
            Policy.priority.in_([priority, ANY]),
        )
    )
    return result.scalars().all()


async def all_policies(session: AsyncSession, *, district: str | None) -> Sequence[Policy]:
    """The city's default and `district`'s own (None: every district's)."""
    query = select(Policy)
    if district is not None:
        query = query.where(Policy.district_code.in_([CITY, district]))
    result = await session.execute(
        query.order_by(Policy.district_code, Policy.category_code, Policy.priority, Policy.clock)
    )
    return result.scalars().all()


async def locked(
    session: AsyncSession, *, district_code: str, category_code: str, priority: str, clock: str
) -> Policy | None:
    """The row, locked until the transaction ends and read afresh (a version check)."""
    result = await session.execute(
        select(Policy)
        .where(
            Policy.district_code == district_code,
            Policy.category_code == category_code,
            Policy.priority == priority,
            Policy.clock == clock,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def upsert(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    stmt = insert(Policy)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["district_code", "category_code", "priority", "clock"],
            set_={
                c: stmt.excluded[c]
                for c in (
                    "amount",
                    "unit",
                    "working_hours",
                    "end_of_day",
                    "updated_at",
                    "updated_by",
                )
            },
        ),
        list(rows),
    )
