from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.reporters.models import OwedNotice, Reporter

_REPORTERS = cast(Table, Reporter.__table__)
_OWED = cast(Table, OwedNotice.__table__)


# notify.reporter_learned (migration b7c4e19d2f50): the lock, the row and the owed
# notices, each statement of it with a fresh snapshot.
_LEARNED = text(
    "SELECT * FROM notify.reporter_learned(:lock_key, :case_id, :report_id, :tracking_no,"
    " :channel, :external_ref, :phone_enc, :phone_masked, :recorded_at)"
).columns(*_OWED.c)


async def add_locked(session: AsyncSession, values: dict[str, Any]) -> list[OwedNotice]:
    """Takes :func:`lock_case`'s lock, records the reporter, and reads the case's owed
    notices (oldest first), in one call: the lock is taken before the row is written,
    and the notices are read after it, seeing what the lock's previous holder
    committed (the database function's statements each take a fresh snapshot)."""
    result = await session.execute(
        _LEARNED, values | {"lock_key": f"reporters:{values['case_id']}"}
    )
    # not in the session: read only (usually none)
    return [OwedNotice(**row._mapping) for row in result]


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
