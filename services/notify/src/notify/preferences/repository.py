from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.preferences.models import Preference


async def get(session: AsyncSession, staff_id: str) -> Preference | None:
    return await session.get(Preference, staff_id)


async def locked(session: AsyncSession, staff_id: str) -> Preference | None:
    """The stored row, locked until the transaction ends (two saves at once queue)."""
    return await session.get(Preference, staff_id, with_for_update=True)


async def put(session: AsyncSession, values: dict[str, Any]) -> Preference:
    stmt = insert(Preference).values(**values)
    result = await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Preference.staff_id],
            set_={k: stmt.excluded[k] for k in values if k != "staff_id"},
        )
        .returning(Preference)
        # The row may be in the session already (read locked): return what was written.
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()
