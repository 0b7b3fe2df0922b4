"""The district's boundary on every channel a point comes in by: the same 422 error
(``outside_district``) and nothing stored. The boundary is the demo city's grids, as the
directory announces them (no INTAKE_DISTRICT_BOUNDS)."""

from typing import Any

import pytest
from sqlalchemy import text

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

COMMUNITY = "510302001002"
GRID = "510302001002003"
MEMBER = bearer("m-1", "grid_member", GRID)
ADMIN = bearer("admin-1", "admin")
SHANGHAI = {"lat": 31.2, "lon": 121.5}  # far outside the demo district


async def _count(db: Any, sql: str) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


@pytest.fixture(autouse=True)
async def grids(intake: Any, publish_grids: Any, demo_grids: Any) -> None:
    """The demo city's grids, known to intake before each test."""
    await publish_grids(demo_grids)


def assert_outside(response: Any, *loc: str | int) -> None:
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert tuple(error["loc"]) == (*loc, "lon")  # the point, checked with its lat
    assert error["type"] == "outside_district"
    assert "outside the district" in error["msg"]
    assert "INTAKE_BOUNDARY_MARGIN_M" in error["msg"]


async def test_a_wall_located_outside_the_district_is_422(intake: Any, db: Any) -> None:
    response = await intake.post(
        "/v1/walls",
        json={"wall_id": "W-FAR", "community_code": COMMUNITY, "name": "墙", "location": SHANGHAI},
        headers=ADMIN,
    )

    assert_outside(response, "body", "location")
    assert await _count(db, "SELECT count(*) FROM intake.walls") == 0


async def test_a_wall_moved_outside_the_district_is_422(intake: Any, wall: Any) -> None:
    created = await wall()
    response = await intake.patch("/v1/walls/W-001", json={"location": SHANGHAI}, headers=ADMIN)

    assert_outside(response, "body", "location")
    assert (await intake.get("/v1/walls/W-001", headers=ADMIN)).json() == created


async def test_a_wish_pointing_outside_the_district_is_422(intake: Any, wall: Any, db: Any) -> None:
    await wall()
    response = await intake.post(
        "/v1/public/walls/W-001/wishes", json={"content": "路灯坏了", "point": SHANGHAI}
    )
    inside = await intake.post(
        "/v1/public/walls/W-001/wishes",
        json={"content": "路灯坏了", "point": {"lat": 29.36, "lon": 104.78}},
    )

    assert_outside(response, "body", "point")
    assert inside.status_code == 201
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 1


async def test_a_transcribed_note_outside_the_district_is_invalid_alone(
    intake: Any, wall: Any, db: Any
) -> None:
    await wall()
    response = await intake.post(
        "/v1/walls/W-001/transcriptions",
        json={"notes": [{"content": "远处", "point": SHANGHAI}, {"content": "近处"}]},
        headers=MEMBER,
    )

    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first["status"] == "invalid"
    assert {tuple(e["loc"]) for e in first["errors"]} == {("body", "notes", 0, "point", "lon")}
    assert {e["type"] for e in first["errors"]} == {"outside_district"}
    assert second["status"] == "created"
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 1


async def test_a_patrol_report_outside_the_district_is_422(intake: Any, db: Any) -> None:
    patrol = await intake.post("/v1/patrols", json={}, headers=MEMBER)
    assert patrol.status_code == 201

    response = await intake.post(
        f"/v1/patrols/{patrol.json()['id']}/reports",
        json={"point": {"lat": 29.356, "lon": 104.9}, "description": "垃圾桶满溢"},
        headers=MEMBER,
    )

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "point", "lon"]
    assert error["type"] == "outside_district"
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 0


async def test_a_visit_report_outside_the_district_is_422(intake: Any, db: Any) -> None:
    visit = await intake.post("/v1/visits", json={"address": "桂花路1号"}, headers=MEMBER)
    assert visit.status_code == 201

    response = await intake.post(
        f"/v1/visits/{visit.json()['id']}/reports",
        json={"point": SHANGHAI, "description": "需要上门助餐"},
        headers=MEMBER,
    )

    assert_outside(response, "body", "point")
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 0


async def test_the_bounds_are_a_setting_that_overrides_the_grids(start_intake: Any) -> None:
    async with start_intake(district_bounds="121.0,31.0,122.0,32.0") as intake:
        response = await intake.post(
            "/v1/walls",
            json={
                "wall_id": "W-SH",
                "community_code": COMMUNITY,
                "name": "墙",
                "location": SHANGHAI,
            },
            headers=ADMIN,
        )
    assert response.status_code == 201
