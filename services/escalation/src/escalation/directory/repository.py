from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.directory.models import AreaEntry, DepartmentEntry, StaffEntry
from gridcase_events.kit.projection import upsert_newer


async def upsert_staff(
    session: AsyncSession,
    *,
    staff_id: str,
    role: str,
    area_code: str | None,
    department_code: str | None,
    at: datetime,
) -> None:
    # A compacted topic may replay older versions: the newer one wins.
    await upsert_newer(
        session,
        StaffEntry,
        key=["staff_id"],
        values={
            "staff_id": staff_id,
            "role": role,
            "area_code": area_code,
            "department_code": department_code,
        },
        at=at,
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
    session.info.pop(_PARENTS, None)
    await upsert_newer(
        session,
        AreaEntry,
        key=["code"],
        values={"code": code, "name": name, "level": level, "parent_code": parent_code},
        at=at,
    )


async def upsert_department(session: AsyncSession, *, code: str, name: str, at: datetime) -> None:
    await upsert_newer(
        session, DepartmentEntry, key=["code"], values={"code": code, "name": name}, at=at
    )


_PARENTS = "escalation.directory.parents"
"""Where a transaction keeps the areas' parents it read (``session.info``): a case's
routing and assignment name the same grid, mostly in one transaction. An area
changed in the transaction forgets them (:func:`upsert_area`)."""


async def parents(session: AsyncSession, codes: Sequence[str]) -> dict[str, str | None]:
    """The parent of each known area among `codes` (read once per transaction)."""
    if not codes:
        return {}
    known = parents_read(session, codes)
    if known is None:
        result = await session.execute(
            select(AreaEntry.code, AreaEntry.parent_code).where(AreaEntry.code.in_(codes))
        )
        known = {r.code: r.parent_code for r in result}
        remember_parents(session, codes, known)
    return known


def parents_read(session: AsyncSession, codes: Sequence[str]) -> dict[str, str | None] | None:
    """:func:`parents` of `codes` if this transaction read them already, else None."""
    read: dict[tuple[str, ...], dict[str, str | None]] = session.info.get(_PARENTS, {})
    known = read.get(tuple(codes))
    return None if known is None else dict(known)


def remember_parents(
    session: AsyncSession, codes: Sequence[str], known: dict[str, str | None]
) -> None:
    """Keeps the parents of `codes` read with another statement (:func:`parents`)."""
    read: dict[tuple[str, ...], dict[str, str | None]] = session.info.setdefault(_PARENTS, {})
    read[tuple(codes)] = dict(known)


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
