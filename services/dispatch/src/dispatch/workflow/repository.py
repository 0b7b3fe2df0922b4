"""All of dispatch's SQL about cases and their timelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.workflow.models import Case, TimelineEntry

# The statuses that count as an assignee's load when a department picks its operator.
LOAD_STATUSES = ("assigned", "accepted")


async def get(session: AsyncSession, case_id: UUID, *, for_update: bool = False) -> Case | None:
    """The case; `for_update` locks its row until the transaction ends (and reads it
    afresh, not from the session's identity map)."""
    return await session.get(Case, case_id, with_for_update=for_update or None)


async def add(session: AsyncSession, case: Case) -> None:
    session.add(case)
    await session.flush()


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
