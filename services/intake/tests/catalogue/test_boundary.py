"""The districts' boundary learned from the directory's grids (intake.catalogue.boundary,
intake.district): a point must lie in a grid of a known district, or within the margin
of one. Districts are generated here — irregular (concave) grids, a grid in two parts
(a MultiPolygon), gaps between grids, one district far from the demo city — so that
nothing depends on the demo's square grids."""

import json
import math
import random
from datetime import timedelta
from typing import Any

import pytest
from shapely.geometry import Point, shape
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from gridcase_events.kit import signing
from intake.catalogue.boundary import Boundary

SPACING = 1000.0  # metres between grid centres
RADIUS = (250.0, 400.0)  # a grid's vertices lie this far from its centre


class Generated:
    """A generated district: `rows` × `cols` irregular star-shaped grids around the
    centres of a lattice, `SPACING` apart (so at least 200 m of no grid between two),
    and one more grid in two parts: a star in the lattice and an exclave east of it."""

    def __init__(
        self, code: str, *, lon0: float, lat0: float, seed: int, rows: int = 3, cols: int = 4
    ) -> None:
        self.code, self.lon0, self.lat0 = code, lon0, lat0
        rng = random.Random(seed)
        self.grids: list[tuple[str, dict[str, Any]]] = []
        number = 0
        for row in range(rows):
            for col in range(cols):
                number += 1
                ring = self._star(rng, col * SPACING, row * SPACING)
                geometry: dict[str, Any] = {"type": "Polygon", "coordinates": [ring]}
                if (row, col) == (0, cols - 1):  # this grid also has an exclave
                    exclave = self._star(rng, (cols + 0.5) * SPACING, 0.0, radius=(120.0, 180.0))
                    geometry = {"type": "MultiPolygon", "coordinates": [[ring], [exclave]]}
                self.grids.append((f"{code}001001{number:03d}", geometry))
        self.rows, self.cols = rows, cols

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        """Metres east and north of the district's first grid centre → (lon, lat)."""
        lon = self.lon0 + x / (111_320.0 * math.cos(math.radians(self.lat0)))
        lat = self.lat0 + y / 110_574.0
        return round(lon, 7), round(lat, 7)

    def _star(
        self, rng: random.Random, cx: float, cy: float, radius: tuple[float, float] = RADIUS
    ) -> list[list[float]]:
        n = rng.randint(7, 12)
        ring = []
        for i in range(n):
            angle = 2 * math.pi * i / n + rng.uniform(-0.2, 0.2)
            r = rng.uniform(*radius) if i % 2 == 0 else rng.uniform(radius[0] * 0.5, radius[0])
            ring.append(list(self.lonlat(cx + r * math.cos(angle), cy + r * math.sin(angle))))
        return [*ring, ring[0]]

    # Points a test needs, each with what it should be.

    def in_a_grid(self, row: int = 1, col: int = 1) -> tuple[float, float]:
        return self.lonlat(col * SPACING, row * SPACING)

    def between_grids(self) -> tuple[float, float]:
        """Among four grids, inside the district's box: ≥ 300 m from every grid."""
        return self.lonlat(0.5 * SPACING, 0.5 * SPACING)

    def in_the_exclave(self) -> tuple[float, float]:
        return self.lonlat((self.cols + 0.5) * SPACING, 0.0)

    def just_outside(self, metres: float) -> tuple[float, float]:
        """`metres` beyond the farthest vertex of the grid at (1, 1), straight out."""
        _, geometry = self.grids[self.cols + 1]
        cx, cy = SPACING, SPACING
        vertices = [self._metres(lon, lat) for lon, lat in geometry["coordinates"][0]]
        x, y = max(vertices, key=lambda v: math.hypot(v[0] - cx, v[1] - cy))
        r = math.hypot(x - cx, y - cy)
        return self.lonlat(cx + (x - cx) * (r + metres) / r, cy + (y - cy) * (r + metres) / r)

    def _metres(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            (lon - self.lon0) * 111_320.0 * math.cos(math.radians(self.lat0)),
            (lat - self.lat0) * 110_574.0,
        )


# A district of the demo's city, and one in the far north-east (Harbin), on other seeds
# than any other test's.
NEAR = Generated("510311", lon0=104.70, lat0=29.50, seed=15001)
FAR = Generated("230102", lon0=126.60, lat0=45.75, seed=15002)


def boundary(*districts: Generated, margin_m: float = 200.0) -> Boundary:
    return Boundary([g for d in districts for g in d.grids], margin_m=margin_m)


# ----------------------------------------------------------------- the rule, pure


def test_the_generated_grids_are_valid_and_apart() -> None:
    shapes = [shape(geometry) for _, geometry in NEAR.grids]
    assert all(s.is_valid for s in shapes)
    assert any(s.geom_type == "MultiPolygon" for s in shapes)
    assert not any(a.intersects(b) for i, a in enumerate(shapes) for b in shapes[i + 1 :])
    lon, lat = NEAR.between_grids()
    assert not any(s.contains(Point(lon, lat)) for s in shapes)


@pytest.mark.parametrize("district", [NEAR, FAR], ids=["near", "far"])
def test_a_point_in_an_irregular_grid_is_in_its_district(district: Generated) -> None:
    lon, lat = district.in_a_grid()
    assert boundary(NEAR, FAR).locate(lon=lon, lat=lat) == district.code


@pytest.mark.parametrize("district", [NEAR, FAR], ids=["near", "far"])
def test_a_point_between_grids_beyond_the_margin_is_outside(district: Generated) -> None:
    lon, lat = district.between_grids()
    found = boundary(NEAR, FAR)

    assert found.locate(lon=lon, lat=lat) is None
    miss = found.miss(lon=lon, lat=lat)
    assert miss is not None
    assert miss.district_code == district.code
    assert 250 < miss.metres < 500


@pytest.mark.parametrize("district", [NEAR, FAR], ids=["near", "far"])
def test_a_point_just_outside_a_grid_is_taken_within_the_margin_only(
    district: Generated,
) -> None:
    lon, lat = district.just_outside(100)

    assert boundary(district, margin_m=200).locate(lon=lon, lat=lat) == district.code
    assert boundary(district, margin_m=50).locate(lon=lon, lat=lat) is None
    miss = boundary(district, margin_m=50).miss(lon=lon, lat=lat)
    assert miss is not None
    assert 90 < miss.metres <= 101  # metres, whatever the latitude


def test_each_part_of_a_multipolygon_grid_counts() -> None:
    lon, lat = NEAR.in_the_exclave()
    assert boundary(NEAR).locate(lon=lon, lat=lat) == NEAR.code


def test_a_point_in_neither_district_names_the_nearest() -> None:
    found = boundary(NEAR, FAR)
    miss = found.miss(lon=121.47, lat=31.23)  # Shanghai

    assert found.locate(lon=121.47, lat=31.23) is None
    assert miss is not None
    assert found.district_codes == ["230102", "510311"]


def test_no_grids_make_no_boundary() -> None:
    assert not Boundary([], margin_m=200)


# ------------------------------------------------- intake, over the directory topic


def push_body(ticket: Any, where: tuple[float, float], ticket_no: str) -> dict[str, Any]:
    lon, lat = where
    return ticket(ticket_no=ticket_no, lat=lat, lon=lon, address=None)


SECRET = "hotline-secret-boundary"


@pytest.fixture
def hotline_intake(start_intake: Any) -> Any:
    return lambda **overrides: start_intake(hotline_secrets_raw=SECRET, **overrides)


async def _cases(db: Any) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM intake.cases"))).scalar_one())


@pytest.mark.integration
async def test_before_any_areas_are_imported_a_point_anywhere_is_taken(
    hotline_intake: Any, ticket: Any, clock: Any, db: Any, intake_events: Any
) -> None:
    """No INTAKE_DISTRICT_BOUNDS, no grids yet: the case is taken, and dispatch routes
    it as it can (to triage when no grid holds it)."""
    async with hotline_intake() as intake:
        response = await signed(intake, clock, push_body(ticket, FAR.between_grids(), "B-0"))

    assert response.status_code == 201, response.text
    assert await _cases(db) == 1


@pytest.mark.integration
@pytest.mark.parametrize("district", [NEAR, FAR], ids=["near", "far"])
async def test_a_point_between_the_grids_of_a_district_is_422_and_nothing_is_stored(
    hotline_intake: Any,
    ticket: Any,
    clock: Any,
    db: Any,
    publish_grids: Any,
    district: Generated,
) -> None:
    async with hotline_intake() as intake:
        await publish_grids(NEAR.grids + FAR.grids)
        outside = await signed(intake, clock, push_body(ticket, district.between_grids(), "B-1"))
        near_edge = await signed(
            intake, clock, push_body(ticket, district.just_outside(100), "B-2")
        )
        inside = await signed(intake, clock, push_body(ticket, district.in_a_grid(), "B-3"))
        exclave = await signed(intake, clock, push_body(ticket, district.in_the_exclave(), "B-4"))

    assert outside.status_code == 422, outside.text
    [error] = outside.json()["detail"]
    assert error["loc"] == ["body", "lon"]
    assert error["type"] == "outside_district"
    assert "outside the district" in error["msg"]
    assert f"of district {district.code}" in error["msg"]
    assert "INTAKE_BOUNDARY_MARGIN_M" in error["msg"]
    assert [near_edge.status_code, inside.status_code, exclave.status_code] == [201, 201, 201]
    assert await _cases(db) == 3


@pytest.mark.integration
async def test_the_demo_citys_grids_refuse_a_point_inside_the_old_box(
    hotline_intake: Any,
    ticket: Any,
    clock: Any,
    db: Any,
    publish_grids: Any,
    demo_grids: Any,
) -> None:
    """The demo box (104.72–104.84 E, 29.30–29.42 N) took this point; its grids do not."""
    async with hotline_intake() as intake:
        await publish_grids(demo_grids)
        outside = await signed(intake, clock, push_body(ticket, (104.80, 29.40), "D-1"))
        inside = await signed(intake, clock, push_body(ticket, (104.7725, 29.355), "D-2"))

    assert outside.status_code == 422, outside.text
    assert outside.json()["detail"][0]["loc"] == ["body", "lon"]
    assert inside.status_code == 201
    assert await _cases(db) == 1


@pytest.mark.integration
async def test_the_box_setting_overrides_the_grids(
    hotline_intake: Any, ticket: Any, clock: Any, publish_grids: Any
) -> None:
    lon, lat = FAR.between_grids()
    box = f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"
    async with hotline_intake(district_bounds=box) as intake:
        await publish_grids(FAR.grids)
        between = await signed(intake, clock, push_body(ticket, (lon, lat), "O-1"))
        far_grid = await signed(intake, clock, push_body(ticket, FAR.in_the_exclave(), "O-2"))

    assert between.status_code == 201, between.text
    assert far_grid.status_code == 422  # outside the box, though in a grid
    assert "INTAKE_DISTRICT_BOUNDS" in far_grid.json()["detail"][0]["msg"]


async def signed(intake: Any, clock: Any, body: dict[str, Any]) -> Any:
    """POSTs a 12345 ticket signed as the hotline platform does."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    return await intake.post(
        "/v1/hotline/tickets",
        content=raw,
        headers={
            "Content-Type": "application/json",
            signing.HEADER: signing.sign(SECRET, raw, now=clock.now()),
        },
    )


@pytest.mark.integration
async def test_a_grid_imported_just_after_a_push_takes_its_point_at_once(
    hotline_intake: Any, ticket: Any, clock: Any, db: Any, publish_grids: Any
) -> None:
    """A push checks its point against the grids read up to a second ago, without a
    query; a point those grids refuse is checked against the grids as stored before
    any 422, so a grid imported a moment ago is never refused."""
    async with hotline_intake() as intake:
        await publish_grids(NEAR.grids)
        first = await signed(intake, clock, push_body(ticket, NEAR.in_a_grid(), "N-1"))
        await publish_grids(FAR.grids)  # the clock has not moved: the grids read are recent
        far = await signed(intake, clock, push_body(ticket, FAR.in_a_grid(), "N-2"))
        between = await signed(intake, clock, push_body(ticket, FAR.between_grids(), "N-3"))

    assert [first.status_code, far.status_code] == [201, 201], far.text
    assert between.status_code == 422
    assert between.json()["detail"][0]["type"] == "outside_district"
    assert await _cases(db) == 2


@pytest.mark.integration
async def test_pushes_read_the_grids_at_most_once_a_recheck_interval(
    hotline_intake: Any, ticket: Any, clock: Any, publish_grids: Any
) -> None:
    """INTAKE_BOUNDARY_RECHECK_SECONDS (1 s): the grids' stamp is one statement of a
    push's few; pushes within the interval do without it."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "intake.areas" in statement and "count(" in statement:  # the stamp
            seen.append(statement)

    async with hotline_intake() as intake:
        await publish_grids(NEAR.grids)
        event.listen(Engine, "before_cursor_execute", record)
        try:
            statuses = [
                (
                    await signed(intake, clock, push_body(ticket, NEAR.in_a_grid(), f"R-{n}"))
                ).status_code
                for n in range(3)
            ]
            read_within = len(seen)
            clock.advance(timedelta(seconds=1.5))
            statuses.append(
                (
                    await signed(intake, clock, push_body(ticket, NEAR.in_a_grid(), "R-3"))
                ).status_code
            )
        finally:
            event.remove(Engine, "before_cursor_execute", record)

    assert statuses == [201] * 4
    assert read_within == 1  # the first push read the stamp, the next two did not
    assert len(seen) == 2  # read again once the interval had passed
