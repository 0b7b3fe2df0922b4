"""Routing's index for placing a case: every grid's polygon (point in polygon over an
STRtree), the gazetteer (一楼一码: exact, by the address's parts — see
``routing/matching.py`` — fuzzy, contained) and the communities' names — a read model of
the directory, rebuilt when the directory version moves. Routing
(``dispatch/routing/service.py``) decides with it; the service's typed state
(``dispatch/deps.py``) holds one cache per process."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.directory import cache, repository
from dispatch.routing.matching import Entry, Hit, Miss, PartsIndex
from gridcase_events.addresses import fold, normalize_address, parse_address

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
    bumps it, so replicas pick up changes on their next case; the version is read once
    per transaction, :func:`dispatch.directory.cache.version_in`)."""

    def __init__(self, *, fuzzy_threshold: float) -> None:
        self._version = -1
        self._threshold = fuzzy_threshold
        self._index = RoutingIndex(
            GridIndex([]), Gazetteer([], prefixes=(), threshold=fuzzy_threshold)
        )

    async def get(self, session: AsyncSession) -> RoutingIndex:
        version = await cache.version_in(session)
        if version != self._version:
            areas = await repository.areas(session)
            entries = await repository.gazetteer_entries(session)
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
