"""All of intake's SQL about the catalogue projection."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit.projection import upsert_newer
from intake.catalogue.models import Area, Category, Department


async def _upsert(session: AsyncSession, model: Any, values: dict[str, Any], at: datetime) -> None:
    # A compacted topic may replay an older version after a newer one: the newer wins.
    await upsert_newer(session, model, key=["code"], values=values, at=at)


async def upsert_category(session: AsyncSession, values: dict[str, Any], *, at: datetime) -> None:
    await _upsert(session, Category, values, at)


async def upsert_department(session: AsyncSession, values: dict[str, Any], *, at: datetime) -> None:
    await _upsert(session, Department, values, at)


async def upsert_area(session: AsyncSession, values: dict[str, Any], *, at: datetime) -> None:
    await _upsert(session, Area, values, at)


_GRIDS_WITH_POLYGONS = (Area.level == "grid", Area.geometry.is_not(None))


async def grid_stamp(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many grids have a polygon, and the newest change among them: what the
    boundary was built from, so that it is rebuilt only when this changes."""
    row = (
        await session.execute(
            select(func.count(), func.max(Area.updated_at)).where(*_GRIDS_WITH_POLYGONS)
        )
    ).one()
    return int(row[0]), row[1]


async def grid_polygons(session: AsyncSession) -> list[tuple[str, dict[str, Any]]]:
    result = await session.execute(
        select(Area.code, Area.geometry).where(*_GRIDS_WITH_POLYGONS).order_by(Area.code)
    )
    return [(row.code, row.geometry) for row in result if row.geometry is not None]


async def categories(session: AsyncSession) -> list[Category]:
    result = await session.execute(select(Category).order_by(Category.code))
    return list(result.scalars())


async def get_category(session: AsyncSession, code: str) -> Category | None:
    return await session.get(Category, code)


async def find_category(session: AsyncSession, *, hint: str, loose: str) -> Category | None:
    """The category whose code is `hint` exactly, else whose code or name, lower-cased
    and without whitespace, is `loose` (the first by code)."""
    exact = await session.get(Category, hint)
    if exact is not None:
        return exact
    if not loose:
        return None
    result = await session.execute(
        select(Category)
        .where(
            (func.lower(func.regexp_replace(Category.code, r"\s", "", "g")) == loose)
            | (func.lower(func.regexp_replace(Category.name, r"\s", "", "g")) == loose)
        )
        .order_by(Category.code)
        .limit(1)
    )
    return result.scalars().first()


async def categories_by_code(session: AsyncSession, codes: Collection[str]) -> dict[str, Category]:
    if not codes:
        return {}
    result = await session.execute(select(Category).where(Category.code.in_(list(codes))))
    return {c.code: c for c in result.scalars()}


async def department_names(session: AsyncSession, codes: Collection[str]) -> dict[str, str]:
    if not codes:
        return {}
    result = await session.execute(
        select(Department.code, Department.name).where(Department.code.in_(list(codes)))
    )
    return {row[0]: row[1] for row in result.all()}


async def area_names(session: AsyncSession, codes: Collection[str]) -> dict[str, str]:
    if not codes:
        return {}
    result = await session.execute(select(Area.code, Area.name).where(Area.code.in_(list(codes))))
    return {row[0]: row[1] for row in result.all()}


async def last_change(session: AsyncSession) -> datetime | None:
    """When the catalogue last changed (the newest category version)."""
    result = await session.execute(select(func.max(Category.updated_at)))
    return result.scalar_one_or_none()
