"""Dispatch's areas reach intake's boundary (the directory topic), end to end: dispatch
and intake run side by side on the real broker and database. Intake learns the
districts' grids only from `directory.area_upserted`; an areas import announces every
area of its file, changed or not, and `POST /v1/directory/areas/republish` announces
every stored area again — so a deployment whose intake missed grids heals."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from dispatch.config import DispatchSettings
from dispatch.main import create_app as create_dispatch
from gridcase_events.kit.clock import ManualClock
from gridcase_events.kit.db import create_engine
from gridcase_events.testing import bearer, eventually, running
from gridcase_events.testing_districts import GeneratedDistrict, generated_district
from intake.config import IntakeSettings
from intake.main import create_app as create_intake

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
# Side by side, about 2 km apart (far beyond intake's 200 m margin).
A = generated_district("510311", west=104.50, south=29.50, shape=((2, 1),), seed=11)
B = generated_district("510422", west=104.56, south=29.50, shape=((1, 2),), seed=22)
ADMIN = bearer("admin0", "admin")  # of the whole deployment


@pytest.fixture
async def stack(
    fresh_database: str, kafka_bootstrap: str, namespace: str, tmp_path: Any
) -> AsyncIterator[tuple[Any, Any]]:
    """(dispatch, intake) clients, both apps running with their consumers."""
    clock = ManualClock(NOW)
    common = {
        "env": "development",
        "database_url": fresh_database,
        "kafka_bootstrap_servers": kafka_bootstrap,
        "topic_namespace": namespace,
    }
    dispatch_app = create_dispatch(DispatchSettings(**common), clock=clock)
    intake_app = create_intake(
        IntakeSettings(**common, attachments_dir=tmp_path / "attachments"), clock=clock
    )
    async with running(dispatch_app) as dispatch, running(intake_app) as intake:
        yield dispatch, intake


@pytest.fixture
async def db(fresh_database: str) -> AsyncIterator[Any]:
    engine = create_engine(fresh_database, pool_size=2)
    yield engine
    await engine.dispose()


async def _import_areas(dispatch: Any, district: GeneratedDistrict) -> dict[str, Any]:
    answer = await dispatch.post(
        "/v1/directory/import",
        params={"kind": "areas"},
        files={"file": ("areas.geojson", district.areas_geojson())},
        headers=ADMIN,
    )
    assert answer.status_code == 200, answer.text
    summary: dict[str, Any] = answer.json()
    return summary


async def _polygons(db: Any) -> dict[str, Any]:
    """The grids intake holds a polygon of, by code."""
    async with db.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT code, geometry FROM intake.areas"
                " WHERE level = 'grid' AND geometry IS NOT NULL"
            )
        )
        return {row.code: row.geometry for row in rows}


async def _intake_holds(db: Any, *districts: GeneratedDistrict) -> None:
    want = {g.code for d in districts for g in d.grids}

    async def check() -> bool | None:
        return True if want <= set(await _polygons(db)) else None

    await eventually(check)


async def _wall_at(intake: Any, district: GeneratedDistrict, wall_id: str) -> Any:
    """A wish wall put up in the district's first grid: what intake answers."""
    lat, lon = district.grids[0].centre
    return await intake.post(
        "/v1/walls",
        json={
            "wall_id": wall_id,
            "community_code": district.communities[0].code,
            "name": "心愿墙",
            "location": {"lat": lat, "lon": lon},
        },
        headers=ADMIN,
    )


async def _forget_polygons(db: Any, district: GeneratedDistrict) -> None:
    """Intake's grids of a district as a deployment that imported them before intake
    kept polygons holds them: known, without a polygon."""
    async with db.begin() as conn:
        await conn.execute(
            text("UPDATE intake.areas SET geometry = NULL WHERE code LIKE :d"),
            {"d": f"{district.code}%"},
        )


async def test_two_districts_imported_one_after_the_other_both_take_points(
    stack: tuple[Any, Any], db: Any
) -> None:
    dispatch, intake = stack
    await _import_areas(dispatch, A)
    await _import_areas(dispatch, B)
    await _intake_holds(db, A, B)

    in_a = await _wall_at(intake, A, "W-A")
    in_b = await _wall_at(intake, B, "W-B")

    assert in_a.status_code == 201, in_a.text
    assert in_b.status_code == 201, in_b.text


async def test_an_unchanged_file_imported_again_gives_intake_back_its_polygons(
    stack: tuple[Any, Any], db: Any
) -> None:
    dispatch, intake = stack
    await _import_areas(dispatch, A)
    await _import_areas(dispatch, B)
    await _intake_holds(db, A, B)
    before = await _polygons(db)
    await _forget_polygons(db, A)
    refused = await _wall_at(intake, A, "W-A1")  # the defect: A's own point, outside

    again = await _import_areas(dispatch, A)
    await _intake_holds(db, A, B)
    taken = await _wall_at(intake, A, "W-A2")

    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["type"] == "outside_district"
    assert (again["created"], again["updated"]) == (0, 0)
    assert again["unchanged"] == len(A.areas)
    assert taken.status_code == 201, taken.text
    assert await _polygons(db) == before  # announced again, nothing changed


async def test_republishing_heals_an_intake_that_missed_every_area(
    stack: tuple[Any, Any], db: Any
) -> None:
    dispatch, intake = stack
    await _import_areas(dispatch, A)
    await _import_areas(dispatch, B)
    await _intake_holds(db, A, B)
    async with db.begin() as conn:
        await conn.execute(text("DELETE FROM intake.areas"))

    answer = await dispatch.post("/v1/directory/areas/republish", headers=ADMIN)
    await _intake_holds(db, A, B)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"district": None, "areas": len(A.areas) + len(B.areas)}
    assert (await _wall_at(intake, A, "W-A")).status_code == 201
    assert (await _wall_at(intake, B, "W-B")).status_code == 201


async def test_a_districts_admin_republishes_their_district_only(
    stack: tuple[Any, Any], db: Any
) -> None:
    dispatch, _ = stack
    await _import_areas(dispatch, A)
    await _import_areas(dispatch, B)
    await _intake_holds(db, A, B)
    await _forget_polygons(db, A)
    await _forget_polygons(db, B)

    answer = await dispatch.post(
        "/v1/directory/areas/republish", headers=bearer("admin-b", "admin", B.code)
    )
    not_admin = await dispatch.post(
        "/v1/directory/areas/republish", headers=bearer("dp-b", "dispatcher", B.code)
    )
    await _intake_holds(db, B)

    assert answer.json() == {"district": B.code, "areas": len(B.areas)}
    assert not_admin.status_code == 403
    assert not {code for code in await _polygons(db) if code.startswith(A.code)}
