"""The inbox: which events a consumer has already handled (docs/adr/0001-outbox-and-inbox.md)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import Column, DateTime, MetaData, PrimaryKeyConstraint, Table, Text, func
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", Text, nullable=False),
        Column("event_id", PgUUID(as_uuid=True), nullable=False),
        Column("event_type", Text, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id"),
    )


async def record(
    session: AsyncSession, table: Table, *, consumer: str, event_id: UUID, event_type: str
) -> bool:
    """Records the event as handled in the caller's transaction.

    Returns False when it was handled before: the caller must then skip its effects.
    A concurrent duplicate waits on the first one's row lock and then sees the conflict.
    """
    result = await session.execute(
        insert(table)
        .values(consumer=consumer, event_id=event_id, event_type=event_type)
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    )
    return result.first() is not None


async def record_many(
    session: AsyncSession,
    table: Table,
    *,
    consumer: str,
    events: Sequence[tuple[UUID, str]],
) -> set[UUID]:
    """Records several events as handled in one statement of the caller's transaction;
    returns the ids not handled before (the others' effects must be skipped)."""
    if not events:
        return set()
    result = await session.execute(
        insert(table)
        .values(
            [
                {"consumer": consumer, "event_id": event_id, "event_type": event_type}
                for event_id, event_type in events
            ]
        )
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    )
    return {row[0] for row in result}
