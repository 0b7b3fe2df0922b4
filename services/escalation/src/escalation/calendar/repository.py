"""All of escalation's SQL about calendar days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, String, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by, insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.calendar.models import CalendarDay
from escalation.policies import repository as policy_repository

_OVERRIDES = "escalation.calendar.overrides"
"""Where a transaction keeps the days it read (``session.info``), by district: a case's
events start several clocks in one transaction. A change to the days in the
transaction forgets them (:func:`upsert_days`)."""


async def overrides(session: AsyncSession, *, district: str | None = None) -> dict[date, bool]:
    """The city's days, overridden by `district`'s own (read once per transaction)."""
    known = overrides_read(session, district=district)
    if known is None:
        result = await session.execute(
            select(CalendarDay.day, CalendarDay.working)
            .where(CalendarDay.district_code.in_(["", district or ""]))
            .order_by(CalendarDay.district_code)  # "" first: the district's own win
        )
        known = {r.day: r.working for r in result}
        _read(session)[district or ""] = known
    return dict(known)


def overrides_read(session: AsyncSession, *, district: str | None) -> dict[date, bool] | None:
    """:func:`overrides` if this transaction read them already, else None."""
    known = _read(session).get(district or "")
    return None if known is None else dict(known)


def overrides_column(district: ColumnElement[str]) -> ScalarSelect[Any]:
    """:func:`overrides` as a column of another statement (`district`: "" for the
    city's): each day and whether it is worked, in their order, as JSON."""
    return (
        select(
            func.jsonb_agg(
                aggregate_order_by(
                    func.jsonb_build_array(CalendarDay.day, CalendarDay.working),
                    CalendarDay.district_code,
                ),
                type_=JSONB,
            )
        )
        .where(CalendarDay.district_code.in_([literal(""), district]))
        .scalar_subquery()
    )


def remember_overrides(
    session: AsyncSession, *, district: str | None, days: list[list[Any]] | None
) -> None:
    """Keeps what :func:`overrides_column` read (the city's days and `district`'s)."""
    _read(session)[district or ""] = {
        date.fromisoformat(day): working for day, working in days or []
    }


_LIMITS_WITH_DAYS = policy_repository.CANDIDATES.add_columns(
    overrides_column(bindparam("district", type_=String()))
)


async def read_limits_and_days(
    session: AsyncSession, *, category_code: str | None, priority: str, district: str | None
) -> None:
    """Reads the policies that may apply to clocks of this category and priority
    (:func:`policy_repository.candidates`) and the district's days (:func:`overrides`)
    in one statement, each kept for the rest of the transaction where the other's
    read finds it, unless the transaction has read either already. No policy, no
    days: they are read on their own when asked for."""
    if overrides_read(session, district=district) is not None or (
        policy_repository.candidates_read(
            session, category_code=category_code, priority=priority, district=district
        )
        is not None
    ):
        return
    values = policy_repository.candidate_values(
        category_code=category_code, priority=priority, district=district
    )
    rows = (await session.execute(_LIMITS_WITH_DAYS, values)).all()
    policy_repository.remember_candidates(
        session,
        category_code=category_code,
        priority=priority,
        district=district,
        found=[policy for policy, _ in rows],
    )
    if rows:
        remember_overrides(session, district=district, days=rows[0][1])


def _read(session: AsyncSession) -> dict[str, dict[date, bool]]:
    read: dict[str, dict[date, bool]] = session.info.setdefault(_OVERRIDES, {})
    return read


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
