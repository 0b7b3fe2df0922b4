from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.reporters.models import OwedNotice, Reporter

_REPORTERS = cast(Table, Reporter.__table__)
_OWED = cast(Table, OwedNotice.__table__)


_ADD_LOCKED: dict[tuple[str, ...], Any] = {}


def _add_locked_statement(keys: tuple[str, ...]) -> Any:
    """:func:`add_locked`'s statement for a set of columns, built once (the lock's key
    and the row are bound parameters)."""
    if keys not in _ADD_LOCKED:
        locked = select(func.pg_advisory_xact_lock(func.hashtext(bindparam("lock_key")))).cte(
            "locked"
        )
        row = select(*(bindparam(k, type_=_REPORTERS.c[k].type) for k in keys)).select_from(locked)
        _ADD_LOCKED[keys] = insert(_REPORTERS).from_select(list(keys), row).on_conflict_do_nothing()
    return _ADD_LOCKED[keys]


async def add_locked(session: AsyncSession, values: dict[str, Any]) -> None:
    """Takes :func:`lock_case`'s lock and records the reporter, in one statement: the
    lock is taken before the row is written (the row reads the lock's answer), and the
    statements after it see what the lock's previous holder committed."""
    statement = _add_locked_statement(tuple(sorted(values)))
    await session.execute(statement, values | {"lock_key": f"reporters:{values['case_id']}"})


async def of_case(session: AsyncSession, case_id: UUID) -> Sequence[Reporter]:
    result = await session.execute(
        select(Reporter).where(Reporter.case_id == case_id).order_by(Reporter.recorded_at)
    )
    return result.scalars().all()


async def by_report(session: AsyncSession, report_id: UUID) -> Reporter | None:
    result = await session.execute(select(Reporter).where(Reporter.report_id == report_id).limit(1))
    return result.scalars().first()


async def lock_case(session: AsyncSession, case_id: UUID) -> None:
    """Serialises learning a case's reporters with planning its progress events, until
    commit: whichever comes second sees what the first recorded."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"reporters:{case_id}"}
    )


async def owe(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(_OWED).values(**values).on_conflict_do_nothing())


_OWED_OF_CASE = (
    select(OwedNotice)
    .where(OwedNotice.case_id == bindparam("case_id"))
    .order_by(OwedNotice.happened_at, OwedNotice.event_id)
)


async def owed(session: AsyncSession, case_id: UUID) -> Sequence[OwedNotice]:
    result = await session.execute(_OWED_OF_CASE, {"case_id": case_id})
    return result.scalars().all()
