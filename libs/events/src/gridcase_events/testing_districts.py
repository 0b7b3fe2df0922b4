"""Generated districts for tests of several districts in one deployment
(docs/adr/0005-districts-side-by-side.md): a district of any shape — how many streets,
communities per street, grids per community — laid over its own box, with a directory a
district would import (areas GeoJSON, staff CSV) and the people of every role.

    a = generated_district("510311", west=104.70, south=29.30, shape=((2, 3), (1,)), seed=1)
    a.areas_geojson()    # bytes for POST /v1/directory/import?kind=areas
    a.staff_csv()        # bytes for kind=staff
    a.grids[0].centre    # (lat, lon) inside the first grid
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Box = tuple[float, float, float, float]  # west, south, east, north


def _polygon(box: Box) -> dict[str, Any]:
    west, south, east, north = box
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _cuts(rng: random.Random, low: float, high: float, parts: int) -> list[tuple[float, float]]:
    """`parts` uneven slices of [low, high] (each at least half an even share)."""
    weights = [0.5 + rng.random() for _ in range(parts)]
    total = sum(weights)
    edges = [low]
    for w in weights:
        edges.append(edges[-1] + (high - low) * w / total)
    edges[-1] = high
    return list(itertools.pairwise(edges))


@dataclass(frozen=True)
class GeneratedArea:
    code: str
    name: str
    level: str
    parent_code: str | None
    box: Box
    kind: str | None = None
    households: int | None = None

    @property
    def centre(self) -> tuple[float, float]:
        """A point inside the area, as (lat, lon)."""
        west, south, east, north = self.box
        return (round((south + north) / 2, 7), round((west + east) / 2, 7))


@dataclass
class GeneratedDistrict:
    code: str
    name: str
    areas: list[GeneratedArea] = field(default_factory=list)
    staff: list[tuple[str, str, str, str, str, str, str]] = field(default_factory=list)

    def level(self, level: str) -> list[GeneratedArea]:
        return [a for a in self.areas if a.level == level]

    @property
    def grids(self) -> list[GeneratedArea]:
        return self.level("grid")

    @property
    def communities(self) -> list[GeneratedArea]:
        return self.level("community")

    @property
    def streets(self) -> list[GeneratedArea]:
        return self.level("street")

    def people(self, role: str) -> list[tuple[str, str | None, str | None]]:
        """(staff_id, area_code, department_code) of every person of `role`."""
        return [(s[0], s[4] or None, s[5] or None) for s in self.staff if s[3] == role]

    def areas_geojson(self) -> bytes:
        features = []
        for area in self.areas:
            properties: dict[str, Any] = {
                "code": area.code,
                "name": area.name,
                "level": area.level,
                "parent_code": area.parent_code,
            }
            if area.level == "grid":
                properties |= {"kind": area.kind, "households": area.households}
            features.append(
                {"type": "Feature", "geometry": _polygon(area.box), "properties": properties}
            )
        return json.dumps(
            {"type": "FeatureCollection", "features": features}, ensure_ascii=False
        ).encode()

    def staff_csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["staff_id", "name", "phone", "role", "area_code", "department_code", "post"]
        )
        writer.writerows(self.staff)
        return out.getvalue().encode()


def generated_district(
    code: str,
    *,
    west: float,
    south: float,
    shape: Sequence[Sequence[int]],
    seed: int,
    size: float = 0.04,
    departments: Sequence[str] = (),
) -> GeneratedDistrict:
    """A district `code` over the box from (`west`, `south`), `size` degrees wide and
    high. `shape[s][c]` is the number of grids of community `c` of street `s` (so
    ``((2, 3), (1,))``: two streets, the first with communities of 2 and 3 grids). Slices
    are uneven (from `seed`); every grid has an A and a B post and a leader; every
    community a station master, every street an officer; the district a centre and a
    dispatcher; each of `departments` an operator (whose area is the district)."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    district = GeneratedDistrict(code=code, name=f"区{code}")
    box: Box = (west, south, west + size, south + size)
    district.areas.append(GeneratedArea(code, district.name, "district", None, box))
    staff = district.staff
    phone = iter(range(13900000000 + int(code) % 1000 * 1000, 14000000000))

    def person(kind: str, name: str, role: str, area: str, dept: str = "", post: str = "") -> None:
        staff.append((f"{code}-{kind}", name, str(next(phone)), role, area, dept, post))

    for s, (x0, x1) in enumerate(_cuts(rng, box[0], box[2], len(shape)), start=1):
        street = GeneratedArea(
            f"{code}{s:03d}", f"街道{s}", "street", code, (x0, box[1], x1, box[3])
        )
        district.areas.append(street)
        person(f"so{s}", f"街道员{s}", "street_officer", street.code)
        for c, (y0, y1) in enumerate(_cuts(rng, box[1], box[3], len(shape[s - 1])), start=1):
            community = GeneratedArea(
                f"{street.code}{c:03d}", f"社区{s}-{c}", "community", street.code, (x0, y0, x1, y1)
            )
            district.areas.append(community)
            person(f"sm{s}{c}", f"站长{s}{c}", "station_master", community.code)
            for g, (gx0, gx1) in enumerate(_cuts(rng, x0, x1, shape[s - 1][c - 1]), start=1):
                grid = GeneratedArea(
                    f"{community.code}{g:03d}",
                    f"第{g}网格",
                    "grid",
                    community.code,
                    (gx0, y0, gx1, y1),
                    kind="residential",
                    households=rng.randint(250, 500),
                )
                district.areas.append(grid)
                tag = f"{s}{c}{g}"
                person(f"gl{tag}", f"网格长{tag}", "grid_leader", grid.code)
                person(f"gm{tag}a", f"网格员{tag}A", "grid_member", grid.code, post="A")
                person(f"gm{tag}b", f"网格员{tag}B", "grid_member", grid.code, post="B")
    person("dc", "指挥中心", "district_center", code)
    person("dp", "派遣员", "dispatcher", code)
    for dept in departments:
        person(f"op-{dept}", f"{dept}操作员", "department_operator", code, dept=dept)
    return district
