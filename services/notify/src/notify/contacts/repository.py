from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.contacts.models import Contact


async def upsert(session: AsyncSession, values: dict[str, Any]) -> None:
    stmt = insert(Contact).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Contact.staff_id],
            set_={k: stmt.excluded[k] for k in values if k != "staff_id"},
        )
    )


async def get(session: AsyncSession, staff_id: str) -> Contact | None:
    return await session.get(Contact, staff_id)
