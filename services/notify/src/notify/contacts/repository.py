from __future__ import annotations

from typing import Any

from sqlalchemy import select
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


async def by_role(
    session: AsyncSession,
    *,
    role: str,
    area_code: str | None = None,
    department_code: str | None = None,
) -> list[str]:
    """Staff ids with a role in an area (exactly) or a department, in id order."""
    query = select(Contact.staff_id).where(Contact.role == role)
    if area_code is not None:
        query = query.where(Contact.area_code == area_code)
    if department_code is not None:
        query = query.where(Contact.department_code == department_code)
    result = await session.execute(query.order_by(Contact.staff_id))
    return list(result.scalars().all())
