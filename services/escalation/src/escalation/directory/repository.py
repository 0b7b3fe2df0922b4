from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.directory.models import StaffEntry


async def upsert_staff(
    session: AsyncSession,
    *,
    staff_id: str,
    role: str,
    area_code: str | None,
    department_code: str | None,
    at: datetime,
) -> None:
    stmt = insert(StaffEntry).values(
        staff_id=staff_id,
        role=role,
        area_code=area_code,
        department_code=department_code,
        updated_at=at,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["staff_id"],
            set_={
                "role": role,
                "area_code": area_code,
                "department_code": department_code,
                "updated_at": at,
            },
            where=StaffEntry.updated_at <= at,  # a compacted topic may replay older versions
        )
    )


async def holders(session: AsyncSession, *, role: str, area_code: str) -> list[str]:
    result = await session.execute(
        select(StaffEntry.staff_id)
        .where(StaffEntry.role == role, StaffEntry.area_code == area_code)
        .order_by(StaffEntry.staff_id)
    )
    return list(result.scalars())
