"""All of dispatch's SQL about the directory."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import Table, exists, func, literal, select, union_all, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.db import Base
from dispatch.directory.models import (
    Absence,
    Area,
    Category,
    Department,
    DirectoryState,
    GazetteerEntry,
    Staff,
)

MODELS: dict[str, type[Base]] = {
    "areas": Area,
    "departments": Department,
    "categories": Category,
    "staff": Staff,
    "gazetteer": GazetteerEntry,
}

_WHITESPACE = re.compile(r"\s+")


def _table(kind: str) -> Table:
    return cast(Table, MODELS[kind].__table__)


async def rows_by_key(session: AsyncSession, kind: str) -> dict[str, dict[str, Any]]:
    """Every row of a keyed directory table, as plain dicts by primary key."""
    table = _table(kind)
    key = next(iter(table.primary_key.columns)).name
    result = await session.execute(select(table))
    return {row[key]: dict(row) for row in result.mappings()}


async def upsert(session: AsyncSession, kind: str, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    table = _table(kind)
    key = [c.name for c in table.primary_key.columns]
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        stmt = insert(table)
        columns = [c for c in chunk[0] if c not in key]
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=key, set_={c: stmt.excluded[c] for c in columns}
            ),
            list(chunk),
        )


async def absences(session: AsyncSession) -> set[tuple[str, datetime, datetime]]:
    result = await session.execute(select(Absence.staff_id, Absence.starts_at, Absence.ends_at))
    return {(r.staff_id, r.starts_at, r.ends_at) for r in result}


async def add_absences(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(Absence).on_conflict_do_nothing(), list(rows))


async def bump_version(session: AsyncSession) -> int:
    await session.execute(insert(DirectoryState).values(id=1, version=0).on_conflict_do_nothing())
    result = await session.execute(
        update(DirectoryState)
        .where(DirectoryState.id == 1)
        .values(version=DirectoryState.version + 1)
        .returning(DirectoryState.version)
    )
    return int(result.scalar_one())


async def version(session: AsyncSession) -> int:
    result = await session.execute(select(DirectoryState.version).where(DirectoryState.id == 1))
    return int(result.scalar_one_or_none() or 0)


async def grids(session: AsyncSession) -> Sequence[Area]:
    result = await session.execute(select(Area).where(Area.level == "grid"))
    return result.scalars().all()


async def areas(
    session: AsyncSession, *, level: str | None = None, parent_code: str | None = None
) -> Sequence[Area]:
    query = select(Area).order_by(Area.code)
    if level is not None:
        query = query.where(Area.level == level)
    if parent_code is not None:
        query = query.where(Area.parent_code == parent_code)
    return (await session.execute(query)).scalars().all()


async def get_area(session: AsyncSession, code: str) -> Area | None:
    return await session.get(Area, code)


async def staff_of_area(session: AsyncSession, area_code: str) -> Sequence[Staff]:
    result = await session.execute(
        select(Staff).where(Staff.area_code == area_code).order_by(Staff.role, Staff.staff_id)
    )
    return result.scalars().all()


async def staff_within_area(session: AsyncSession, area_code: str) -> Sequence[Staff]:
    """Staff of the area and every area below it (codes chain their parents')."""
    result = await session.execute(
        select(Staff)
        .where(Staff.area_code.startswith(area_code, autoescape=True))
        .order_by(Staff.area_code, Staff.role, Staff.staff_id)
    )
    return result.scalars().all()


async def staff_of_department(session: AsyncSession, department_code: str) -> Sequence[Staff]:
    result = await session.execute(
        select(Staff)
        .where(Staff.department_code == department_code, Staff.role == "department_operator")
        .order_by(Staff.staff_id)
    )
    return result.scalars().all()


def _absent_at(now: datetime) -> Any:
    """Whether the row's staff member has an absence covering `now` (a column)."""
    return (
        exists()
        .where(Absence.staff_id == Staff.staff_id, Absence.starts_at <= now, Absence.ends_at > now)
        .label("absent")
    )


async def staff_of_area_at(
    session: AsyncSession, area_code: str, now: datetime
) -> list[tuple[Staff, bool]]:
    """The area's staff as :func:`staff_of_area` orders them, each with whether an
    absence covers `now`: one round trip where assignment made two."""
    result = await session.execute(
        select(Staff, _absent_at(now))
        .where(Staff.area_code == area_code)
        .order_by(Staff.role, Staff.staff_id)
    )
    return [(staff, bool(absent)) for staff, absent in result.all()]


async def staff_of_department_at(
    session: AsyncSession, department_code: str, now: datetime
) -> list[tuple[Staff, bool]]:
    """:func:`staff_of_department`, each with whether an absence covers `now`."""
    result = await session.execute(
        select(Staff, _absent_at(now))
        .where(Staff.department_code == department_code, Staff.role == "department_operator")
        .order_by(Staff.staff_id)
    )
    return [(staff, bool(absent)) for staff, absent in result.all()]


StaffAbsenceRow = tuple[str, str, str | None, datetime | None, datetime | None]
"""(staff_id, role, post, absence start, absence end): no absence, both None."""


async def staff_with_absences(
    session: AsyncSession, *, area_code: str | None = None, department_code: str | None = None
) -> list[StaffAbsenceRow]:
    """An area's staff (as :func:`staff_of_area_at` orders them), or a department's
    operators (as :func:`staff_of_department_at`), each with every absence of theirs,
    in one statement: a row per absence, a person without any once (for the directory
    cache, which decides at each moment who is away)."""
    if area_code is not None:
        unit = Staff.area_code == area_code
    else:
        unit = (Staff.department_code == department_code) & (Staff.role == "department_operator")
    result = await session.execute(
        select(Staff.staff_id, Staff.role, Staff.post, Absence.starts_at, Absence.ends_at)
        .outerjoin(Absence, Absence.staff_id == Staff.staff_id)
        .where(unit)
        .order_by(Staff.role, Staff.staff_id, Absence.starts_at)
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in result.all()]


async def absent_now(session: AsyncSession, staff_ids: Sequence[str], now: datetime) -> set[str]:
    if not staff_ids:
        return set()
    result = await session.execute(
        select(Absence.staff_id).where(
            Absence.staff_id.in_(staff_ids), Absence.starts_at <= now, Absence.ends_at > now
        )
    )
    return set(result.scalars())


async def get_department(session: AsyncSession, code: str) -> Department | None:
    return await session.get(Department, code)


async def departments(
    session: AsyncSession, *, q: str | None = None, codes: Collection[str] | None = None
) -> Sequence[Department]:
    """Departments by code; `q` matches a part of the code or name (case ignored)."""
    query = select(Department).order_by(Department.code)
    if q:
        query = query.where(
            Department.code.icontains(q, autoescape=True)
            | Department.name.icontains(q, autoescape=True)
        )
    if codes is not None:
        query = query.where(Department.code.in_(sorted(set(codes))))
    return (await session.execute(query)).scalars().all()


async def get_category(session: AsyncSession, code: str) -> Category | None:
    return await session.get(Category, code)


def _loose(text: str) -> str:
    """A hint compared loosely: full-width → half-width, lower case, no whitespace."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


async def find_category(session: AsyncSession, hint: str) -> Category | None:
    """The category a reporter's hint names: its code exactly, else its code or name
    ignoring case, whitespace and full-width forms (" Environment/Garbage-Overflow ",
    "垃圾满溢", "垃圾 满溢"). None when nothing matches (the case goes to triage)."""
    exact = await session.get(Category, hint)
    if exact is not None:
        return exact
    loose = _loose(hint)
    if not loose:
        return None
    result = await session.execute(
        select(Category)
        .where(
            (func.lower(func.regexp_replace(Category.code, r"\s", "", "g")) == loose)
            | (func.lower(func.regexp_replace(Category.name, r"\s", "", "g")) == loose)
        )
        .order_by(Category.code)
    )
    return result.scalars().first()


async def gazetteer_entries(session: AsyncSession) -> list[tuple[str, str]]:
    """Every (address, grid code) of the gazetteer."""
    result = await session.execute(select(GazetteerEntry.address, GazetteerEntry.grid_code))
    return [(r.address, r.grid_code) for r in result]


async def names_of(
    session: AsyncSession,
    kind: Literal["areas", "departments", "categories", "staff"],
    keys: Collection[str],
) -> dict[str, str]:
    """The names of these areas, departments, categories or staff by code (for lists)."""
    if not keys:
        return {}
    table = _table(kind)
    key = next(iter(table.primary_key.columns))
    result = await session.execute(select(key, table.c.name).where(key.in_(sorted(set(keys)))))
    return {row[0]: row[1] for row in result}


NameKind = Literal["areas", "departments", "categories", "staff"]


async def names_of_kinds(
    session: AsyncSession, wanted: Mapping[NameKind, Collection[str]]
) -> dict[NameKind, dict[str, str]]:
    """:func:`names_of` for several kinds in one statement (a list's page asks for its
    areas, departments, categories and staff at once: one round trip, not four)."""
    names: dict[NameKind, dict[str, str]] = {kind: {} for kind in wanted}
    parts = []
    for kind, keys in wanted.items():
        if keys:
            table = _table(kind)
            key = next(iter(table.primary_key.columns))
            parts.append(
                select(literal(kind).label("kind"), key.label("key"), table.c.name).where(
                    key.in_(sorted(set(keys)))
                )
            )
    if parts:
        for row in await session.execute(union_all(*parts)):
            names[row.kind][row.key] = row.name
    return names
