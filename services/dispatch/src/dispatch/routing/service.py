"""Routing: which grid or department a case belongs to, with the reason recorded.

1. A department category goes to its department.
2. Otherwise the grid is located by coordinates (point in polygon over an STRtree of
   every grid), else by the address against the gazetteer.
3. A point inside a unit grid goes to that unit grid.
4. What cannot be placed, or has no known category, goes to triage.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.directory import repository as directory_repository
from dispatch.directory.models import Category
from gridcase_events.payloads import GeoPoint, RouteMethod, RouteTarget

_SPACES = re.compile(r"\s+")
_BUILDING = re.compile(r"(号楼|幢|栋)")


def normalize_address(address: str) -> str:
    """Full-width → half-width (NFKC), no spaces, lower case, 号楼/幢/栋 → 栋."""
    text = unicodedata.normalize("NFKC", address)
    text = _SPACES.sub("", text).lower()
    return _BUILDING.sub("栋", text)


@dataclass(frozen=True)
class RouteDecision:
    target: RouteTarget
    method: RouteMethod
    reason: str
    grid_code: str | None = None
    department_code: str | None = None


class GridIndex:
    """Point-in-polygon over every grid; fast for tens of thousands of grids."""

    def __init__(self, grids: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        self._codes = [code for code, _, _ in grids]
        self._kinds = [kind for _, kind, _ in grids]
        self._shapes: list[BaseGeometry] = [shape(geometry) for _, _, geometry in grids]
        self._tree = STRtree(self._shapes)

    def __len__(self) -> int:
        return len(self._codes)

    def locate(self, lat: float, lon: float) -> tuple[str, str] | None:
        """The grid (code, kind) covering the point; a unit grid wins over the
        residential grid around it, and a smaller grid over a larger one."""
        point = Point(lon, lat)
        hits = [int(i) for i in self._tree.query(point, predicate="intersects")]
        if not hits:
            return None
        best = min(
            hits, key=lambda i: (self._kinds[i] != "unit", self._shapes[i].area, self._codes[i])
        )
        return self._codes[best], self._kinds[best]


class GridIndexCache:
    """One index per process, rebuilt when the directory version moves."""

    def __init__(self) -> None:
        self._version = -1
        self._index = GridIndex([])

    async def get(self, session: AsyncSession) -> GridIndex:
        version = await directory_repository.version(session)
        if version != self._version:
            grids = await directory_repository.grids(session)
            self._index = GridIndex(
                [(g.code, g.kind or "residential", g.geometry) for g in grids if g.geometry]
            )
            self._version = version
        return self._index


async def decide(
    *,
    session: AsyncSession,
    index: GridIndex,
    category: Category | None,
    category_hint: str | None,
    location: GeoPoint | None,
    address: str | None,
) -> RouteDecision:
    if category is None:
        why = f"unknown category {category_hint!r}" if category_hint else "no category given"
        return RouteDecision(
            target="triage", method="unplaceable", reason=f"{why}: a dispatcher decides"
        )
    if category.handler == "department":
        return RouteDecision(
            target="department",
            method="category_department",
            department_code=category.department_code,
            reason=f"category {category.code} is handled by department {category.department_code}",
        )
    if location is not None:
        found = index.locate(location.lat, location.lon)
        if found is not None:
            code, kind = found
            return RouteDecision(
                target="grid",
                method="point_in_polygon",
                grid_code=code,
                reason=f"point ({location.lat:.6f}, {location.lon:.6f}) lies in {kind} grid {code}",
            )
    if address:
        grid = await directory_repository.gazetteer_grid(session, normalize_address(address))
        if grid is not None:
            return RouteDecision(
                target="grid",
                method="gazetteer",
                grid_code=grid,
                reason=f"address {address!r} is in the gazetteer under grid {grid}",
            )
    where = "the point lies in no grid" if location is not None else "no coordinates"
    return RouteDecision(
        target="triage",
        method="unplaceable",
        reason=f"{where} and the address is not in the gazetteer: a dispatcher decides",
    )
