"""All of dispatch's SQL about cases and their timelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.workflow.models import Case, TimelineEntry


async def get(session: AsyncSession, case_id: UUID) -> Case | None:
    return await session.get(Case, case_id)


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
