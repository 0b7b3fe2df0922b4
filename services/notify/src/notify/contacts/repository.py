from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit.projection import upsert_newer
from notify.contacts.models import Contact


async def upsert(session: AsyncSession, values: dict[str, Any], *, at: datetime) -> None:
    """The staff member's contact as of `at`; an older version (a compacted topic
    replays them) does not overwrite a newer one."""
    await upsert_newer(session, Contact, key=["staff_id"], values=values, at=at)


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
