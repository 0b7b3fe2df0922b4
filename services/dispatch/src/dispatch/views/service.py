"""Personal saved searches: each person's own, never another's."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.views import repository
from dispatch.views.models import SavedView
from dispatch.views.schemas import ViewCreate, ViewRead
from gridcase_events.envelope import new_id
from gridcase_events.kit.auth import Principal
from gridcase_events.kit.errors import Conflict, NotFound

MAX_VIEWS = 50


def _read(view: SavedView) -> ViewRead:
    return ViewRead(
        id=view.id,
        name=view.name,
        filter=view.filters,
        sort=view.sort,
        created_at=view.created_at,
    )


async def create(
    *, session: AsyncSession, principal: Principal, request: ViewCreate, now: datetime
) -> ViewRead:
    if await repository.named(session, principal.sub, request.name) is not None:
        raise Conflict(f"you already have a view named {request.name}")
    if await repository.count_of(session, principal.sub) >= MAX_VIEWS:
        raise Conflict(f"you have {MAX_VIEWS} views; delete one first")
    view = SavedView(
        id=new_id(),
        owner_id=principal.sub,
        name=request.name,
        filters=request.filter.model_dump(mode="json", exclude_defaults=True),
        sort=request.sort,
        created_at=now,
    )
    await repository.add(session, view)
    return _read(view)


async def mine(*, session: AsyncSession, principal: Principal) -> list[ViewRead]:
    return [_read(v) for v in await repository.of_owner(session, principal.sub)]


async def delete(*, session: AsyncSession, principal: Principal, view_id: UUID) -> None:
    """404 also for another person's view: its existence is not theirs to learn."""
    if not await repository.remove(session, owner_id=principal.sub, view_id=view_id):
        raise NotFound("no such view")
