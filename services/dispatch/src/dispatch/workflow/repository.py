"""All of dispatch's SQL about cases and their timelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, func, inspect, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.workflow.models import Case, TimelineEntry, keep_district

# The statuses that count as an assignee's load when a department picks its operator.
LOAD_STATUSES = ("assigned", "accepted")

_CASES = cast(Table, Case.__table__)
_TIMELINE = cast(Table, TimelineEntry.__table__)
# Fixed shapes, compiled once; the values are the execution's parameters.
_INSERT_NEW = insert(_CASES).on_conflict_do_nothing(index_elements=["id"]).returning(_CASES.c.id)
_INSERT_TIMELINE = insert(_TIMELINE)


async def get(session: AsyncSession, case_id: UUID, *, for_update: bool = False) -> Case | None:
    """The case; `for_update` locks its row until the transaction ends (and reads it
    afresh, not from the session's identity map)."""
    return await session.get(Case, case_id, with_for_update=for_update or None)


async def add(session: AsyncSession, case: Case) -> None:
    session.add(case)
    await session.flush()


async def insert_new(session: AsyncSession, case: Case) -> bool:
    """Stores `case` (a new, transient one, its version set) in one statement; False,
    storing nothing, when a case with its id is stored already (a repeat). Unlike
    :func:`add` it keeps the version given, so a case taken in and assigned at once is
    stored at the version its last event carries. `case` stays out of the session (it
    is not loaded back: taking a case in reads nothing of it afterwards)."""
    keep_district(case)
    state = inspect(case)
    values = {
        attr.key: state.dict[attr.key]
        for attr in state.mapper.column_attrs
        if attr.key in state.dict
    }
    result = await session.execute(_INSERT_NEW, values)
    return result.first() is not None


def timeline_row(
    *, case_id: UUID, at: datetime, action: str, actor: str, detail: dict[str, Any]
) -> dict[str, Any]:
    """One timeline entry, for :func:`add_timeline_rows`."""
    return {"case_id": case_id, "at": at, "action": action, "actor": actor, "detail": detail}


async def add_timeline_rows(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Several timeline entries in one statement, in this order (their ids ascend)."""
    await session.execute(_INSERT_TIMELINE, list(rows))


async def add_timeline(
    session: AsyncSession,
    *,
    case_id: UUID,
    at: datetime,
    action: str,
    actor: str,
    detail: dict[str, Any],
) -> None:
    session.add(TimelineEntry(case_id=case_id, at=at, action=action, actor=actor, detail=detail))


async def timeline(session: AsyncSession, case_id: UUID) -> Sequence[TimelineEntry]:
    result = await session.execute(
        select(TimelineEntry).where(TimelineEntry.case_id == case_id).order_by(TimelineEntry.id)
    )
    return result.scalars().all()


async def tasks_of(
    session: AsyncSession, *, assignee_id: str, statuses: Sequence[str], limit: int, offset: int
) -> Sequence[Case]:
    result = await session.execute(
        select(Case)
        .where(Case.assignee_id == assignee_id, Case.status.in_(statuses))
        .order_by(Case.priority.desc(), Case.created_at)
        .limit(limit)
        .offset(offset)
    )
    return result.scalars().all()


async def open_cases_by_assignee(
    session: AsyncSession, assignee_ids: Sequence[str]
) -> dict[str, int]:
    """How many assigned or accepted cases each of `assignee_ids` holds (absent: none)."""
    if not assignee_ids:
        return {}
    result = await session.execute(
        select(Case.assignee_id, func.count())
        .where(Case.assignee_id.in_(assignee_ids), Case.status.in_(LOAD_STATUSES))
        .group_by(Case.assignee_id)
    )
    return {assignee: count for assignee, count in result if assignee is not None}
