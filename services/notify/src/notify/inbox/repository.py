from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.inbox.models import InboxItem

_TABLE = cast(Table, InboxItem.__table__)
_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]
_COLUMNS = ("idempotency_key", "staff_id", "case_id", "event_type", "title", "text", "created_at")
# The items come as arrays, one per column: the same text whatever their number
# (compiled and prepared once, not once per number of items).
_ADD_MANY = text(
    f"INSERT INTO {_TABLE.fullname} ({', '.join(_COLUMNS)}) "  # noqa: S608 - names only
    "SELECT * FROM unnest("
    + ", ".join(f"CAST(:{c} AS {_TABLE.c[c].type.compile(dialect=_DIALECT)}[])" for c in _COLUMNS)
    + ") ON CONFLICT DO NOTHING RETURNING idempotency_key, id"
)


async def add(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Stores an item once per idempotency key; returns its id (None if already there)."""
    result = await session.execute(
        insert(InboxItem).values(**values).on_conflict_do_nothing().returning(InboxItem.id)
    )
    return result.scalar_one_or_none()


async def add_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Stores items in one statement, each once per idempotency key; returns the ids of
    those stored, by key (one already there is left out)."""
    if not rows:
        return {}
    result = await session.execute(_ADD_MANY, {c: [row[c] for row in rows] for c in _COLUMNS})
    return {row.idempotency_key: row.id for row in result}


async def after(
    session: AsyncSession, *, staff_id: str, after_id: int, limit: int
) -> Sequence[InboxItem]:
    result = await session.execute(
        select(InboxItem)
        .where(InboxItem.staff_id == staff_id, InboxItem.id > after_id)
        .order_by(InboxItem.id)
        .limit(limit)
    )
    return result.scalars().all()


async def latest(
    session: AsyncSession, *, staff_id: str, limit: int, before_id: int | None
) -> Sequence[InboxItem]:
    query = select(InboxItem).where(InboxItem.staff_id == staff_id)
    if before_id is not None:
        query = query.where(InboxItem.id < before_id)
    result = await session.execute(query.order_by(InboxItem.id.desc()).limit(limit))
    return result.scalars().all()
