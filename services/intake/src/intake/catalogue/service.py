"""The category catalogue as intake knows it: a projection of the directory's
categories, departments and areas (gridcase.directory.v1, log-compacted)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads
from intake.catalogue import boundary, repository
from intake.catalogue.models import Category

_WHITESPACE = re.compile(r"\s+")


async def project_category(
    *, session: AsyncSession, category: payloads.CategoryUpserted, at: datetime
) -> None:
    await repository.upsert_category(session, category.model_dump(), at=at)


async def project_department(
    *, session: AsyncSession, department: payloads.DepartmentUpserted, at: datetime
) -> None:
    await repository.upsert_department(session, department.model_dump(), at=at)


async def project_area(*, session: AsyncSession, area: payloads.AreaUpserted, at: datetime) -> None:
    await repository.upsert_area(
        session,
        {
            "code": area.code,
            "name": area.name,
            "level": area.level,
            "geometry": area.geometry if area.level == "grid" else None,
        },
        at=at,
    )


class Boundaries:
    """The districts' boundary as the imported grids draw it, rebuilt when they change
    (one small query per use tells; a process keeps one, in its state)."""

    def __init__(self, *, margin_m: float) -> None:
        self.margin_m = margin_m
        self._stamp: tuple[int, datetime | None] | None = None
        self._boundary: boundary.Boundary | None = None
        self._read_at: datetime | None = None

    async def current(
        self, session: AsyncSession, *, now: datetime | None = None
    ) -> boundary.Boundary | None:
        """None before any grid with a polygon is known (every point is then taken).
        `now` (the caller's clock): when the grids' stamp was read, for :meth:`recent`."""
        stamp = await repository.grid_stamp(session)
        if stamp != self._stamp:
            polygons = await repository.grid_polygons(session)
            built = boundary.Boundary(polygons, margin_m=self.margin_m) if polygons else None
            self._stamp, self._boundary = stamp, built
        self._read_at = now
        return self._boundary

    async def recent(
        self, session: AsyncSession, *, now: datetime, within: timedelta
    ) -> tuple[boundary.Boundary | None, bool]:
        """The boundary as :meth:`current` last read it if that was less than `within`
        before `now` (no query), else :meth:`current`'s; and whether it was reused."""
        read_at = self._read_at
        if self._stamp is not None and read_at is not None and read_at <= now < read_at + within:
            return self._boundary, True
        return await self.current(session, now=now), False


async def categories(*, session: AsyncSession) -> list[Category]:
    return await repository.categories(session)


async def get_category(*, session: AsyncSession, code: str) -> Category | None:
    return await repository.get_category(session, code)


def loose(text: str) -> str:
    """A hint compared loosely: full-width → half-width, lower case, no whitespace."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


async def find_category(*, session: AsyncSession, hint: str) -> Category | None:
    """The category a reporter's hint names, by the rule dispatch routes with: its code
    exactly, else its code or name ignoring case, whitespace and full-width forms
    (" Environment/Garbage-Overflow ", "垃圾满溢", "垃圾 满溢"). None when the catalogue
    does not know it (or has not been received yet)."""
    return await repository.find_category(session, hint=hint, loose=loose(hint))


async def last_change(*, session: AsyncSession) -> datetime | None:
    return await repository.last_change(session)


@dataclass(frozen=True)
class Names:
    """Display names of categories, departments and areas, looked up in one go."""

    categories: dict[str, Category]
    departments: dict[str, str]
    areas: dict[str, str]


async def names(
    *,
    session: AsyncSession,
    category_codes: Iterable[str | None],
    department_codes: Iterable[str | None],
    area_codes: Iterable[str | None],
) -> Names:
    categories = await repository.categories_by_code(session, {c for c in category_codes if c})
    departments = {c for c in department_codes if c}
    departments |= {c.department_code for c in categories.values() if c.department_code}
    return Names(
        categories=categories,
        departments=await repository.department_names(session, departments),
        areas=await repository.area_names(session, {c for c in area_codes if c}),
    )
