"""Projections of other services' facts: one upsert where the newer version wins.

Compacted topics and redeliveries replay older versions after newer ones, so every
projection row carries the time (or version) of the fact it holds and an upsert only
replaces a row with something at least as new.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


async def upsert_newer(
    session: AsyncSession,
    model: Any,
    *,
    key: Sequence[str],
    values: Mapping[str, Any],
    at: datetime | int,
    at_column: str = "updated_at",
) -> None:
    """Inserts `values` (which include the key columns), or updates the row with the
    same key when the stored ``at_column`` is not newer than `at`."""
    row = {**values, at_column: at}
    stmt = insert(model).values(**row)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=list(key),
            set_={k: v for k, v in row.items() if k not in key},
            where=getattr(model, at_column) <= at,
        )
    )
