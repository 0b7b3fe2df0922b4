"""All of dispatch's SQL about cases and their timelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, inspect, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.workflow.models import Case, TimelineEntry, keep_district

# Insert a new case unless one with its id is stored: one statement, its shape fixed
# (compiled once; the values are the execution's parameters).
_INSERT_NEW = (
    select(Case)
    .from_statement(insert(Case).on_conflict_do_nothing(index_elements=["id"]).returning(Case))
    .execution_options(populate_existing=True)
)

# The statuses that count as an assignee's load when a department picks its operator.
LOAD_STATUSES = ("assigned", "accepted")


async def get(session: AsyncSession, case_id: UUID, *, for_update: bool = False) -> Case | None:
    """The case; `for_update` locks its row until the transaction ends (and reads it
    afresh, not from the session's identity map)."""
    return await session.get(Case, case_id, with_for_update=for_update or None)


async def add(session: AsyncSession, case: Case) -> None:
    session.add(case)
    await session.flush()


async def insert_new(session: AsyncSession, case: Case) -> Case | None:
    """Stores `case` (a new, transient one, its version set) in one statement, or nothing
    when a case with its id is stored already (then None: a repeat). Unlike
    :func:`add` it keeps the version given, so a case taken in and assigned at once is
    stored at the version its last event carries; the stored case is returned, loaded."""
    keep_district(case)
    state = inspect(case)
    values = {
        attr.key: state.dict[attr.key]
        for attr in state.mapper.column_attrs
        if attr.key in state.dict
    }
    result = await session.scalars(_INSERT_NEW, values)
    return result.one_or_none()


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
