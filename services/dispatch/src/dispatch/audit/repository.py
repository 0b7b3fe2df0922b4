"""The per-person audit's SQL: one person's timeline entries, on cases the caller sees."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.search import repository as search_repository
from dispatch.workflow.models import Case, TimelineEntry
from gridcase_events.kit.auth import Scope


async def actions_of(
    session: AsyncSession, *, actor: str, scope: Scope, before: int | None, limit: int
) -> Sequence[Row[Any]]:
    """The entries `actor` made, newest first, older than entry `before` when given; only
    on cases `scope` covers (the search's rule, so the audit shows no case the case page
    would refuse). Served by ``ix_case_timeline_actor_id``."""
    query = (
        select(
            TimelineEntry.id,
            TimelineEntry.at,
            TimelineEntry.action,
            TimelineEntry.case_id,
            TimelineEntry.detail,
            Case.tracking_no,
            Case.status.label("case_status"),
        )
        .join(Case, Case.id == TimelineEntry.case_id)
        .where(TimelineEntry.actor == actor, search_repository.in_scope(scope))
        .order_by(TimelineEntry.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(TimelineEntry.id < before)
    result = await session.execute(query)
    return result.all()
