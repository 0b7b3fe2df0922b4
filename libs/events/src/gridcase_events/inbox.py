"""The inbox: which events a consumer has already handled (docs/adr/0001-outbox-and-inbox.md)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    Column,
    DateTime,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    bindparam,
    func,
    text,
)
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


@functools.cache
def _record_one(table: Table) -> Any:
    """The single-event insert, built once per table (its compiled form is then found
    in the engine's cache without building a statement per event)."""
    return (
        insert(table)
        .values(
            consumer=bindparam("consumer"),
            event_id=bindparam("event_id"),
            event_type=bindparam("event_type"),
        )
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    )


@functools.cache
def _record_many(table: Table) -> Any:
    """The several-events insert: the ids and types as two arrays, so the statement has
    one shape whatever the number of events and compiles once (a multi-row VALUES has a
    shape, and a compilation, per row count)."""
    name = f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'
    return (
        text(
            f"""
            INSERT INTO {name} (consumer, event_id, event_type)
            SELECT :consumer, e.event_id, e.event_type
            FROM unnest(CAST(:event_ids AS uuid[]), CAST(:event_types AS text[]))
                AS e(event_id, event_type)
            ON CONFLICT DO NOTHING
            RETURNING event_id
            """  # noqa: S608 - the table name comes from our own metadata
        )
        .bindparams(
            bindparam("event_ids", type_=ARRAY(PgUUID(as_uuid=True))),
            bindparam("event_types", type_=ARRAY(Text)),
        )
        .columns(table.c.event_id)
    )


async def record(
    session: AsyncSession, table: Table, *, consumer: str, event_id: UUID, event_type: str
) -> bool:
    """Records the event as handled in the caller's transaction.

    Returns False when it was handled before: the caller must then skip its effects.
    A concurrent duplicate waits on the first one's row lock and then sees the conflict.
    """
    result = await session.execute(
        _record_one(table),
        {"consumer": consumer, "event_id": event_id, "event_type": event_type},
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
        _record_many(table),
        {
            "consumer": consumer,
            "event_ids": [event_id for event_id, _ in events],
            "event_types": [event_type for _, event_type in events],
        },
    )
    return {row[0] for row in result}
