"""A list shows exactly what the single case would: every role, inside and outside its
scope, the count included."""

from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

GUIHUA_1 = "510302001001001"

CASES = {
    "guihua-1": {"grid_code": GUIHUA_1},
    "guihua-2": {"grid_code": "510302001001002"},
    "fenglin-1": {"grid_code": "510302001002001"},
    "binjiang-1": {"grid_code": "510302002001001"},
    "guihua-station": {"grid_code": None, "community_code": "510302001001", "target": "community"},
    "water-in-guihua-1": {
        "grid_code": GUIHUA_1,
        "department_code": "water",
        "target": "department",
    },
    "water-anywhere": {"grid_code": None, "department_code": "water", "target": "department"},
    "urban-binjiang": {
        "grid_code": "510302002001001",
        "department_code": "urban",
        "target": "department",
    },
    "triage": {"grid_code": None, "status": "triage", "target": "triage"},
    "other-district": {"grid_code": "510303001001001"},
}

PRINCIPALS: dict[str, tuple[Any, ...]] = {
    "grid_member inside": ("gm111a", "grid_member", GUIHUA_1),
    "grid_member outside": ("gm211a", "grid_member", "510302002001001"),
    "grid_leader": ("gl112", "grid_leader", "510302001001002"),
    "station_master inside": ("sm11", "station_master", "510302001001"),
    "station_master outside": ("sm21", "station_master", "510302002002"),
    "street_officer": ("so1", "street_officer", "510302001"),
    "street_officer other": ("so2", "street_officer", "510302002"),
    "district_center": ("dc1", "district_center", "510302"),
    "district_center elsewhere": ("dc9", "district_center", "510399"),
    "dispatcher": ("dp1", "dispatcher", "510302"),
    "ops": ("ops1", "ops", "510302"),
    "admin citywide": ("admin1", "admin", None),
    "department_operator water": ("water1", "department_operator", None, "water"),
    "department_operator urban": ("urban1", "department_operator", None, "urban"),
}
# A role that needs a scope and has none is refused when it signs in (the kit's rule):
# it never reaches a list at all.
UNSCOPED = {
    "department_operator without department": ("x1", "department_operator", None, None),
    "grid_member without area": ("gm0", "grid_member", None),
}

# What the single-case rule gives, written out so that the test fails if it drifts.
EXPECTED = {
    "grid_member inside": {"guihua-1", "water-in-guihua-1"},
    "grid_member outside": {"binjiang-1", "urban-binjiang"},
    "grid_leader": {"guihua-2"},
    "station_master inside": {"guihua-1", "guihua-2", "guihua-station", "water-in-guihua-1"},
    "station_master outside": set(),
    "street_officer": {
        "guihua-1",
        "guihua-2",
        "fenglin-1",
        "guihua-station",
        "water-in-guihua-1",
    },
    "street_officer other": {"binjiang-1", "urban-binjiang"},
    # Another district's centre: nothing of this one, not even its unplaced cases.
    "district_center elsewhere": set(),
    "department_operator water": {"water-in-guihua-1", "water-anywhere"},
    "department_operator urban": {"urban-binjiang"},
}
DISTRICT = set(CASES) - {"other-district"}
for _who in ("district_center", "dispatcher", "ops"):
    EXPECTED[_who] = DISTRICT
EXPECTED["admin citywide"] = set(CASES)


@pytest.fixture
async def placed(seed: Any) -> dict[str, str]:
    ids = await seed(*({**c, "lat": 29.355, "lon": 104.7725} for c in CASES.values()))
    return {name: str(case_id) for name, case_id in zip(CASES, ids, strict=True)}


async def test_the_list_shows_exactly_what_the_case_itself_would(
    client: Any, search: Any, placed: dict[str, str]
) -> None:
    by_id = {case_id: name for name, case_id in placed.items()}
    for who, claims in PRINCIPALS.items():
        headers = bearer(*claims)
        single = {
            name
            for name, case_id in placed.items()
            if (await client.get(f"/v1/cases/{case_id}", headers=headers)).status_code == 200
        }

        rows, totals = await search(headers, limit=3)

        assert sorted(by_id[r["id"]] for r in rows) == sorted(single), who
        assert totals == {len(single)}, who
        # A word search (every case says 垃圾满溢) is walled the same way.
        rows, totals = await search(headers, q="垃圾", limit=3)
        assert sorted(by_id[r["id"]] for r in rows) == sorted(single), who
        assert totals == {len(single)}, who
        assert single == EXPECTED[who], who
        exported = (await client.get("/v1/cases.csv", headers=headers)).content.decode()
        assert len(exported.splitlines()) - 1 == len(single), who
        points = (await client.get("/v1/cases.geojson", headers=headers)).json()
        assert sorted(by_id[f["id"]] for f in points["features"]) == sorted(single), who


@pytest.mark.parametrize("who", sorted(UNSCOPED))
async def test_a_role_without_its_scope_claim_is_refused_by_every_list(
    client: Any, placed: dict[str, str], who: str
) -> None:
    headers = bearer(*UNSCOPED[who])
    for path in ("/v1/cases", "/v1/cases.csv", "/v1/cases.geojson", "/v1/queues"):
        assert (await client.get(path, headers=headers)).status_code == 401, (who, path)


async def test_a_filter_never_widens_the_scope(search: Any, placed: dict[str, str]) -> None:
    headers = bearer("water1", "department_operator", None, "water")

    rows, totals = await search(headers, area_code="510302002")

    assert rows == []
    assert totals == {0}
