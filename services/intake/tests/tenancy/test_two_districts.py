"""Two districts in one deployment (docs/adr/0005-districts-side-by-side.md), as intake
reads them to staff: wish walls, household files and patrols of one district are never
another district's people's to read or manage; the deployment's admin and the city
level see both."""

import json
from typing import Any

import pytest

from gridcase_events.testing import bearer
from gridcase_events.testing_districts import GeneratedDistrict, generated_district

pytestmark = pytest.mark.integration

# Side by side, not overlapping: A spans 104.50–104.54, B 104.56–104.60.
A = generated_district("510311", west=104.50, south=29.50, shape=((2,),), seed=11)
B = generated_district("510422", west=104.56, south=29.50, shape=((1,),), seed=22)
ADDRESS = "滨江路1号"  # the same street address in both districts
DEPLOYMENT_ADMIN = bearer("admin0", "admin")
CITY = bearer("cc1", "city_center")


def _people(d: GeneratedDistrict) -> dict[str, dict[str, str]]:
    grid, community = d.grids[0].code, d.communities[0].code
    return {
        "admin": bearer(f"{d.code}-admin", "admin", d.code),
        "district_center": bearer(f"{d.code}-dc", "district_center", d.code),
        "ops": bearer(f"{d.code}-ops", "ops", d.code),
        "station_master": bearer(f"{d.code}-sm", "station_master", community),
        "grid_leader": bearer(f"{d.code}-gl", "grid_leader", grid),
        "grid_member": bearer(f"{d.code}-gm", "grid_member", grid),
    }


def _grids(d: GeneratedDistrict) -> list[tuple[str, dict[str, Any]]]:
    """The district's grids and their polygons, as dispatch announces them."""
    features = json.loads(d.areas_geojson())["features"]
    return [
        (f["properties"]["code"], f["geometry"])
        for f in features
        if f["properties"]["level"] == "grid"
    ]


async def _put_up(intake: Any, d: GeneratedDistrict) -> dict[str, str]:
    """In the district's first grid: a wall, a household visit and an ended patrol with
    a track; returns their ids."""
    lat, lon = d.grids[0].centre
    member = _people(d)["grid_member"]
    wall = await intake.post(
        "/v1/walls",
        json={
            "wall_id": f"W-{d.code}",
            "community_code": d.communities[0].code,
            "name": "心愿墙",
            "location": {"lat": lat, "lon": lon},
        },
        headers=_people(d)["admin"],
    )
    assert wall.status_code == 201, wall.text
    visit = await intake.post("/v1/visits", json={"address": ADDRESS}, headers=member)
    assert visit.status_code == 201, visit.text
    patrol = await intake.post("/v1/patrols", json={}, headers=member)
    assert patrol.status_code == 201, patrol.text
    patrol_id = patrol.json()["id"]
    started = patrol.json()["started_at"]
    track = await intake.post(
        f"/v1/patrols/{patrol_id}/track",
        json={"batch_id": f"b-{d.code}", "points": [{"lat": lat, "lon": lon, "at": started}]},
        headers=member,
    )
    assert track.status_code == 200, track.text
    ended = await intake.post(f"/v1/patrols/{patrol_id}/end", headers=member)
    assert ended.status_code == 200, ended.text
    return {"wall": f"W-{d.code}", "visit": visit.json()["id"], "patrol": patrol_id}


@pytest.fixture
async def two_districts(intake: Any, publish_grids: Any) -> dict[str, dict[str, str]]:
    await publish_grids([grid for d in (A, B) for grid in _grids(d)])
    return {d.code: await _put_up(intake, d) for d in (A, B)}


async def _seen_by(intake: Any, headers: dict[str, str], made: dict[str, dict[str, str]]) -> Any:
    """What each read shows one token, as the districts whose things it shows."""
    walls = await intake.get("/v1/walls", headers=headers)
    visits = await intake.get("/v1/visits", params={"address": ADDRESS}, headers=headers)
    return {
        "walls": {w["wall_id"] for w in walls.json()} if walls.status_code == 200 else None,
        "wall": {
            code
            for code, ids in made.items()
            if (await intake.get(f"/v1/walls/{ids['wall']}", headers=headers)).status_code == 200
        },
        "visits": {v["grid_code"][:6] for v in visits.json()}
        if visits.status_code == 200
        else None,
        "track": {
            code
            for code, ids in made.items()
            if (await intake.get(f"/v1/patrols/{ids['patrol']}/track", headers=headers)).status_code
            == 200
        },
    }


# Which reads each role has at all (None: refused to the role whatever the district).
READS = {
    "admin": {"walls", "wall", "visits", "track"},
    "district_center": {"walls", "wall", "track"},
    "ops": {"walls", "wall", "track"},
    "station_master": {"walls", "wall", "visits", "track"},
    "grid_leader": {"walls", "wall", "visits", "track"},
    "grid_member": {"walls", "wall", "visits"},
}


@pytest.mark.parametrize("district", [A, B], ids=["A", "B"])
async def test_a_districts_people_read_its_walls_files_and_tracks_never_the_others(
    intake: Any, two_districts: dict[str, dict[str, str]], district: GeneratedDistrict
) -> None:
    own = district.code
    for role, headers in _people(district).items():
        seen = await _seen_by(intake, headers, two_districts)
        reads = READS[role]
        assert seen["walls"] == ({f"W-{own}"} if "walls" in reads else set()), role
        assert seen["wall"] == ({own} if "wall" in reads else set()), role
        assert seen["visits"] == ({own} if "visits" in reads else None), role
        # The patroller is the grid member: their own track, and only theirs.
        track = {own} if "track" in reads or role == "grid_member" else set()
        assert seen["track"] == track, role


async def test_the_deployments_admin_reads_both_districts(
    intake: Any, two_districts: dict[str, dict[str, str]]
) -> None:
    seen = await _seen_by(intake, DEPLOYMENT_ADMIN, two_districts)

    both = {A.code, B.code}
    assert seen == {
        "walls": {f"W-{A.code}", f"W-{B.code}"},
        "wall": both,
        "visits": both,
        "track": both,
    }


@pytest.mark.parametrize("area", [None, A.code], ids=["city", "district"])
async def test_patrol_compliance_shows_the_asked_district_within_the_wall(
    intake: Any, two_districts: dict[str, dict[str, str]], area: str | None
) -> None:
    desk_a = bearer(f"{A.code}-dc", "district_center", A.code)

    theirs = await intake.get(
        "/v1/patrols/compliance", params={"area_code": B.code}, headers=desk_a
    )
    own = await intake.get("/v1/patrols/compliance", params={"area_code": A.code}, headers=desk_a)
    city = await intake.get(
        "/v1/patrols/compliance", params={"area_code": area} if area else {}, headers=CITY
    )

    assert theirs.status_code == 403, theirs.text
    assert {d["grid_code"] for d in own.json()["days"]} == {A.grids[0].code}
    want = {A.grids[0].code} if area else {A.grids[0].code, B.grids[0].code}
    assert {d["grid_code"] for d in city.json()["days"]} == want


async def test_a_districts_admin_puts_up_no_wall_in_another_district(
    intake: Any, two_districts: dict[str, dict[str, str]]
) -> None:
    lat, lon = B.grids[0].centre

    answer = await intake.post(
        "/v1/walls",
        json={
            "wall_id": "W-ACROSS",
            "community_code": B.communities[0].code,
            "name": "越界的墙",
            "location": {"lat": lat, "lon": lon},
        },
        headers=_people(A)["admin"],
    )

    assert answer.status_code == 403, answer.text
    walls = await intake.get("/v1/walls", headers=DEPLOYMENT_ADMIN)
    assert "W-ACROSS" not in {w["wall_id"] for w in walls.json()}


async def test_a_district_desk_whose_token_names_no_district_reads_no_track(
    intake: Any, two_districts: dict[str, dict[str, str]]
) -> None:
    nowhere = bearer("dc0", "district_center")

    answers = [
        (await intake.get(f"/v1/patrols/{ids['patrol']}/track", headers=nowhere)).status_code
        for ids in two_districts.values()
    ]

    assert answers == [403, 403]
