"""All of escalation's SQL about calendar days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.calendar.models import CalendarDay

_OVERRIDES = "escalation.calendar.overrides"
"""Where a transaction keeps the days it read (``session.info``), by district: a case's
events start several clocks in one transaction. A change to the days in the
transaction forgets them (:func:`upsert_days`)."""


async def overrides(session: AsyncSession, *, district: str | None = None) -> dict[date, bool]:
    """The city's days, overridden by `district`'s own (read once per transaction)."""
    read: dict[str, dict[date, bool]] = session.info.setdefault(_OVERRIDES, {})
    key = district or ""
    if key not in read:
        result = await session.execute(
            select(CalendarDay.day, CalendarDay.working)
            .where(CalendarDay.district_code.in_(["", key]))
            .order_by(CalendarDay.district_code)  # "" first: the district's own win
        )
        read[key] = {r.day: r.working for r in result}
    return dict(read[key])


async def upsert_days(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.info.pop(_OVERRIDES, None)
        stmt = insert(CalendarDay)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["district_code", "day"],
                set_={
                    "working": stmt.excluded.working,
                    "name": stmt.excluded.name,
                    "updated_at": stmt.excluded.updated_at,
                    "updated_by": stmt.excluded.updated_by,
                },
            ),
            list(rows),
        )


async def locked_day(session: AsyncSession, *, district_code: str, day: date) -> CalendarDay | None:
    """The day's row, locked until the transaction ends and read afresh (a version check)."""
    return await session.get(
        CalendarDay, (district_code, day), with_for_update=True, populate_existing=True
    )


async def days_of_year(
    session: AsyncSession, *, year: int, district: str | None
) -> Sequence[CalendarDay]:
    """The city's days and `district`'s own (None: every district's) in `year`, by day."""
    query = select(CalendarDay).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
    )
    if district is not None:
        query = query.where(CalendarDay.district_code.in_(["", district]))
    result = await session.execute(query.order_by(CalendarDay.day, CalendarDay.district_code))
    return result.scalars().all()
