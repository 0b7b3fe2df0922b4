from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.preferences.models import Preference


async def get(session: AsyncSession, staff_id: str) -> Preference | None:
    return await session.get(Preference, staff_id)


async def put(session: AsyncSession, values: dict[str, Any]) -> Preference:
    stmt = insert(Preference).values(**values)
    result = await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Preference.staff_id],
            set_={k: stmt.excluded[k] for k in values if k != "staff_id"},
        ).returning(Preference)
    )
    return result.scalar_one()
