"""Who did what (审计, per person): what one member of staff did across cases — each
hand-off and action with its case, time and reason — walled by the caller's scope
exactly as the case search is (:func:`gridcase_events.kit.auth.scope_of`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.audit import repository
from dispatch.audit.schemas import ActionPage, ActionRead
from gridcase_events.kit.auth import Principal, scope_of

REASON_KEYS = ("reason", "note", "comment")
"""Where an action's request keeps the words its author gave."""


def reason_of(detail: dict[str, Any]) -> str | None:
    for key in REASON_KEYS:
        value = detail.get(key)
        if isinstance(value, str) and value:
            return value
    return None


async def actions_of(
    *,
    session: AsyncSession,
    principal: Principal,
    staff_id: str,
    cursor: int | None,
    limit: int,
) -> ActionPage:
    rows = await repository.actions_of(
        session, actor=staff_id, scope=scope_of(principal), before=cursor, limit=limit + 1
    )
    items = [
        ActionRead(
            id=r.id,
            at=r.at,
            action=r.action,
            case_id=r.case_id,
            tracking_no=r.tracking_no,
            case_status=r.case_status,
            reason=reason_of(r.detail),
            detail=r.detail,
        )
        for r in rows[:limit]
    ]
    next_cursor = items[-1].id if len(rows) > limit else None
    return ActionPage(staff_id=staff_id, items=items, next_cursor=next_cursor)
