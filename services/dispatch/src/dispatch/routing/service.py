"""Routing: which grid or department a case belongs to, with the reason recorded.

1. A department category goes to its department.
2. Otherwise the grid is located by coordinates (point in polygon over an STRtree of
   every grid), else by the address against the gazetteer: normalised (full-width
   characters, spaces and punctuation, 号楼/幢/栋, leading province/city/district/street
   names), matched exactly, else on its parts (road, number, building: see
   `routing/matching.py`), else — when it has no doorplate number — fuzzily above a
   threshold.
3. A point inside a unit grid goes to that unit grid.
4. Else an address naming one community goes to that community's station.
5. What cannot be placed, or has no known category, goes to triage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter
from rapidfuzz import fuzz, process
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.directory import repository as directory_repository
from dispatch.directory.models import Category
from dispatch.routing.matching import Entry, Hit, Miss, PartsIndex
from gridcase_events.addresses import fold, normalize_address, parse_address
from gridcase_events.payloads import GeoPoint, RouteMethod, RouteTarget

ROUTING_OUTCOMES = Counter(
    "gridcase_routing_outcomes_total",
    "Routing decisions by target (grid, community, department, triage) and method",
    ["target", "method"],
)

# A gazetteer entry this long, written out whole inside an address, places it.
MIN_CONTAINED = 5


class Gazetteer:
    """Addresses of every building (一楼一码), matched exactly after normalising, else on
    the parts of the address (road, number, building …) when it has a doorplate number,
    else — against the entries without one — fuzzily above a threshold (0–1), else by the
    longest such entry the address contains."""

    def __init__(
        self, entries: Sequence[tuple[str, str]], *, prefixes: Sequence[str], threshold: float
    ) -> None:
        # Longest first, so "示范区东城街道" is dropped before a shorter name inside it.
        self.prefixes = sorted(
            {fold(p) for p in prefixes if p},
            key=len,
            reverse=True,
        )
        self.threshold = threshold
        keys = [normalize_address(address, prefixes=self.prefixes) for address, _ in entries]
        self._grid_of: dict[str, str] = {}
        for key, (_, grid) in zip(keys, entries, strict=True):
            self._grid_of[key] = grid
        parsed = [
            Entry(parts=parse_address(address), grid=grid, key=key)
            for (address, grid), key in zip(entries, keys, strict=True)
        ]
        self._parts = PartsIndex(parsed)
        # Text similarity only for the entries the parts cannot reach (no doorplate):
        # between two doorplates it would take 183号9栋 for 183号8栋.
        self._keys = list(
            dict.fromkeys(e.key for e in parsed if e.parts.road is None or e.parts.number is None)
        )

    def __len__(self) -> int:
        return len(self._grid_of)

    def lookup(self, address: str) -> tuple[str, str, float] | None:
        """(grid code, matched gazetteer key, score 0–1), or None."""
        found = self.match(address)
        return (found.grid, found.key, found.score) if isinstance(found, Hit) else None

    def match(self, address: str) -> Hit | Miss:
        """The gazetteer entry the address names, and why; or why it names none."""
        key = normalize_address(address, prefixes=self.prefixes)
        if not key:
            return Miss("is empty")
        if key in self._grid_of:
            return Hit(self._grid_of[key], key, 1.0, "is in the gazetteer")
        parts = parse_address(address)
        if parts.road is not None and parts.number is not None:
            # Decisive: text similarity would take 183号9栋 for 183号8栋.
            return self._parts.match(parts)
        match = process.extractOne(
            key, self._keys, scorer=fuzz.ratio, score_cutoff=self.threshold * 100
        )
        if match is not None:
            found, score, _ = match
            return Hit(self._grid_of[found], found, score / 100, f"similar text ({score:.0f}%)")
        # "桂花小区1栋楼下": the address names a known entry and then some.
        contained = [k for k in self._keys if len(k) >= MIN_CONTAINED and k in key]
        if contained:
            found = max(contained, key=len)
            return Hit(
                self._grid_of[found], found, len(found) / len(key), "names the entry and more"
            )
        return Miss("names no road and doorplate number the gazetteer knows")


@dataclass(frozen=True)
class RouteDecision:
    target: RouteTarget
    method: RouteMethod
    reason: str
    grid_code: str | None = None
    community_code: str | None = None
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


@dataclass(frozen=True)
class RoutingIndex:
    grids: GridIndex
    gazetteer: Gazetteer
    communities: Sequence[tuple[str, str]] = ()  # (normalised name, code)

    def community_named_in(self, address: str) -> tuple[str, str] | None:
        """The community (code, name) the address names, when it names exactly one."""
        text = normalize_address(address)
        found = {code: name for name, code in self.communities if name and name in text}
        return next(iter(found.items())) if len(found) == 1 else None


class RoutingIndexCache:
    """One index per process, rebuilt when the directory version moves (every import
    bumps it, so replicas pick up changes on their next case)."""

    def __init__(self, *, fuzzy_threshold: float) -> None:
        self._version = -1
        self._threshold = fuzzy_threshold
        self._index = RoutingIndex(
            GridIndex([]), Gazetteer([], prefixes=(), threshold=fuzzy_threshold)
        )

    async def get(self, session: AsyncSession) -> RoutingIndex:
        version = await directory_repository.version(session)
        if version != self._version:
            areas = await directory_repository.areas(session)
            entries = await directory_repository.gazetteer_entries(session)
            self._index = RoutingIndex(
                grids=GridIndex(
                    [
                        (a.code, a.kind or "residential", a.geometry)
                        for a in areas
                        if a.level == "grid" and a.geometry
                    ]
                ),
                gazetteer=Gazetteer(
                    entries,
                    prefixes=[a.name for a in areas if a.level in ("district", "street")],
                    threshold=self._threshold,
                ),
                communities=[
                    (normalize_address(a.name), a.code) for a in areas if a.level == "community"
                ],
            )
            self._version = version
        return self._index


def decide(
    *,
    index: RoutingIndex,
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
        found = index.grids.locate(location.lat, location.lon)
        if found is not None:
            code, kind = found
            return RouteDecision(
                target="grid",
                method="point_in_polygon",
                grid_code=code,
                reason=f"point ({location.lat:.6f}, {location.lon:.6f}) lies in {kind} grid {code}",
            )
    missed = ""
    if address:
        match = index.gazetteer.match(address)
        if isinstance(match, Hit):
            how = (
                "is in the gazetteer"
                if match.score == 1.0
                else f"matches gazetteer entry {match.key!r}: {match.why}"
            )
            return RouteDecision(
                target="grid",
                method="gazetteer",
                grid_code=match.grid,
                reason=f"address {address!r} {how}, grid {match.grid}",
            )
        missed = f" ({match.why})"
        community = index.community_named_in(address)
        if community is not None:
            code, name = community
            return RouteDecision(
                target="community",
                method="community_name",
                community_code=code,
                reason=f"address {address!r} names community {name} ({code}): its station dispatches",
            )
    where = "the point lies in no grid" if location is not None else "no coordinates"
    return RouteDecision(
        target="triage",
        method="unplaceable",
        reason=f"{where} and the address is not in the gazetteer{missed}: a dispatcher decides",
    )
