from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.directory.models import Area, Department, Staff


def _people() -> Select[str, str, str, str | None, str | None, str, str | None, str]:
    return (
        select(
            Staff.staff_id,
            Staff.name,
            Staff.role,
            Staff.post,
            Staff.area_code,
            Area.name.label("area_name"),
            Staff.department_code,
            Department.name.label("department_name"),
        )
        .outerjoin(Area, Area.code == Staff.area_code)
        .outerjoin(Department, Department.code == Staff.department_code)
    )


async def people(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.execute(
        _people().order_by(Staff.role, Staff.area_code, Staff.department_code, Staff.staff_id)
    )
    return [dict(row._mapping) for row in rows]


async def person(session: AsyncSession, staff_id: str) -> dict[str, Any] | None:
    row = (await session.execute(_people().where(Staff.staff_id == staff_id))).first()
    return dict(row._mapping) if row is not None else None
