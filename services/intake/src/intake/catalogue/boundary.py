"""The districts' boundary, learned from the directory: the grids dispatch imported (the
areas on ``gridcase.directory.v1`` carry each grid's polygon). A reported point must lie
in a grid of a known district, or within a small margin of one
(``INTAKE_BOUNDARY_MARGIN_M``): a resident standing on the street outside the last
building of a grid is still in the district, a point across the city is not.

Pure logic (shapely): no I/O. Each district is measured in its own local metric plane
(an equirectangular projection about its centre), so the margin is in metres wherever
the district lies, and districts far apart do not distort each other.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from gridcase_events.areas import AreaCode

METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0


@dataclass(frozen=True)
class _Plane:
    """A local metric plane about (lon0, lat0): x east, y north, in metres."""

    lon0: float
    lat0: float

    def project(self, coords: Any) -> Any:
        """(lon, lat) rows of an array → (x, y) rows, as ``shapely.transform`` calls it."""
        kx = METRES_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(self.lat0))
        ky = METRES_PER_DEGREE_LAT
        return coords * [kx, ky] - [self.lon0 * kx, self.lat0 * ky]

    def point(self, *, lon: float, lat: float) -> BaseGeometry:
        return shapely.transform(Point(lon, lat), self.project)


@dataclass(frozen=True)
class _District:
    code: str
    plane: _Plane
    grids: BaseGeometry  # the union of its grids, in its plane
    reach: BaseGeometry  # the grids grown by the margin, prepared


@dataclass(frozen=True)
class Miss:
    """Where a point outside the boundary lies: the nearest district and how far."""

    district_code: str
    metres: float


class Boundary:
    """The grids of the known districts, each district grown by `margin_m` metres."""

    def __init__(self, grids: Iterable[tuple[str, Mapping[str, Any]]], *, margin_m: float) -> None:
        by_district: dict[str, list[BaseGeometry]] = defaultdict(list)
        for code, geometry in grids:
            district = AreaCode(code).district or code[:6]
            by_district[str(district)].append(shape(geometry))
        self.margin_m = margin_m
        self._districts = [
            _district(code, polygons, margin_m) for code, polygons in sorted(by_district.items())
        ]

    @property
    def district_codes(self) -> list[str]:
        return [d.code for d in self._districts]

    def __bool__(self) -> bool:
        return bool(self._districts)

    def locate(self, *, lon: float, lat: float) -> str | None:
        """The district whose grids (grown by the margin) hold the point; None if none."""
        for d in self._districts:
            if d.reach.covers(d.plane.point(lon=lon, lat=lat)):
                return d.code
        return None

    def miss(self, *, lon: float, lat: float) -> Miss | None:
        """The nearest district's grids and their distance, for a point outside them all."""
        best: Miss | None = None
        for d in self._districts:
            metres = float(d.grids.distance(d.plane.point(lon=lon, lat=lat)))
            if best is None or metres < best.metres:
                best = Miss(district_code=d.code, metres=metres)
        return best


def _district(code: str, polygons: list[BaseGeometry], margin_m: float) -> _District:
    """One district's grids merged, in its own plane, and their reach, prepared."""
    merged = shapely.union_all([p if p.is_valid else p.buffer(0) for p in polygons])
    min_lon, min_lat, max_lon, max_lat = merged.bounds
    plane = _Plane(lon0=(min_lon + max_lon) / 2, lat0=(min_lat + max_lat) / 2)
    grids = shapely.transform(merged, plane.project)
    reach = grids.buffer(margin_m) if margin_m > 0 else grids
    shapely.prepare(reach)
    return _District(code=code, plane=plane, grids=grids, reach=reach)
