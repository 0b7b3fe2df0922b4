from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.directory.models import AreaEntry, DepartmentEntry, StaffEntry


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


async def upsert_area(
    session: AsyncSession,
    *,
    code: str,
    name: str,
    level: str,
    parent_code: str | None,
    at: datetime,
) -> None:
    values = {"name": name, "level": level, "parent_code": parent_code, "updated_at": at}
    stmt = insert(AreaEntry).values(code=code, **values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["code"], set_=values, where=AreaEntry.updated_at <= at
        )
    )


async def upsert_department(session: AsyncSession, *, code: str, name: str, at: datetime) -> None:
    stmt = insert(DepartmentEntry).values(code=code, name=name, updated_at=at)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["code"],
            set_={"name": name, "updated_at": at},
            where=DepartmentEntry.updated_at <= at,
        )
    )


async def parents(session: AsyncSession, codes: Sequence[str]) -> dict[str, str | None]:
    """The parent of each known area among `codes`."""
    if not codes:
        return {}
    result = await session.execute(
        select(AreaEntry.code, AreaEntry.parent_code).where(AreaEntry.code.in_(codes))
    )
    return {r.code: r.parent_code for r in result}


async def names(
    session: AsyncSession, *, areas: Sequence[str], departments: Sequence[str]
) -> dict[str, str]:
    """Names of known areas and departments by code."""
    found: dict[str, str] = {}
    if areas:
        result = await session.execute(
            select(AreaEntry.code, AreaEntry.name).where(AreaEntry.code.in_(areas))
        )
        found.update({r.code: r.name for r in result})
    if departments:
        result = await session.execute(
            select(DepartmentEntry.code, DepartmentEntry.name).where(
                DepartmentEntry.code.in_(departments)
            )
        )
        found.update({r.code: r.name for r in result})
    return found
