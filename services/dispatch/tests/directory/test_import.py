"""Directory imports through the admin endpoint: validated whole, all or nothing,
idempotent, and published to the compacted directory topic."""

import json
from pathlib import Path
from typing import Any

import pytest

from gridcase_events import topics
from gridcase_events.testing import bearer, read_topic

pytestmark = pytest.mark.integration

DEMO_STAFF = (Path(__file__).resolve().parents[4] / "deploy" / "demo" / "staff.csv").read_bytes()
STAFF_HEADER = "staff_id,name,phone,role,area_code,department_code,post\n"


async def test_demo_city_imports_and_a_second_import_changes_nothing(
    demo_city: Any, import_directory: Any
) -> None:
    again = await import_directory("staff", DEMO_STAFF)

    assert again.status_code == 200
    summary = again.json()
    assert summary["rows"] == 46  # 45 people of the district and the city centre's
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 46)


async def test_staff_changes_are_published_with_the_phone_encrypted(
    demo_city: Any, import_directory: Any, kafka_bootstrap: str, namespace: str
) -> None:
    changed = STAFF_HEADER + "gm111a,李磊静,13900000099,grid_member,510302001001001,,A\n"
    summary = (await import_directory("staff", changed.encode())).json()
    assert (summary["created"], summary["updated"]) == (0, 1)

    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.DIRECTORY), min_count=76
    )
    staff_events = [json.loads(r.value) for r in records if r.key == b"staff:gm111a"]
    assert len(staff_events) == 2  # the demo import, then the change
    latest = staff_events[-1]["data"]
    assert latest["phone_masked"] == "139****0099"
    assert "13900000099" not in json.dumps(staff_events)
    assert latest["phone_encrypted"]


async def test_two_a_posts_in_one_grid_are_refused_and_nothing_is_applied(
    demo_city: Any, import_directory: Any, client: Any
) -> None:
    body = (
        STAFF_HEADER
        + "new1,新同事,13900000001,grid_member,510302001001002,,\n"
        + "new2,另一位,13900000002,grid_member,510302001001001,,A\n"
    )
    response = await import_directory("staff", body.encode())

    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [(p["row"], p["field"]) for p in problems] == [(2, "post")]
    assert "2 A posts" in problems[0]["message"]
    staff = await client.get(
        "/v1/directory/areas/510302001001002/staff", headers=bearer("dp1", "dispatcher", "510302")
    )
    assert "new1" not in {s["staff_id"] for s in staff.json()}


async def test_overlapping_residential_grids_are_refused(
    demo_city: Any, import_directory: Any
) -> None:
    overlapping = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": "510302001001009",
                    "name": "重叠网格",
                    "level": "grid",
                    "parent_code": "510302001001",
                    "kind": "residential",
                    "households": 100,
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [104.771, 29.351],
                            [104.774, 29.351],
                            [104.774, 29.354],
                            [104.771, 29.354],
                            [104.771, 29.351],
                        ]
                    ],
                },
            }
        ],
    }
    response = await import_directory("areas", json.dumps(overlapping).encode())

    assert response.status_code == 422
    messages = [p["message"] for p in response.json()["problems"]]
    assert messages == ["grid 510302001001009 overlaps grid 510302001001001"]


async def test_a_grid_outside_its_community_is_refused(
    demo_city: Any, import_directory: Any
) -> None:
    outside = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": "510302001001009",
                    "name": "飞地",
                    "level": "grid",
                    "parent_code": "510302001001",
                    "kind": "unit",
                    "households": 0,
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [104.80, 29.40],
                            [104.81, 29.40],
                            [104.81, 29.41],
                            [104.80, 29.41],
                            [104.80, 29.40],
                        ]
                    ],
                },
            }
        ],
    }
    response = await import_directory("areas", json.dumps(outside).encode())

    assert response.status_code == 422
    assert "outside its community 510302001001" in response.json()["problems"][0]["message"]


@pytest.mark.parametrize(
    ("kind", "body", "field", "message"),
    [
        (
            "staff",
            STAFF_HEADER + "x1,某人,13900000003,grid_member,510302009009009,,\n",
            "area_code",
            "unknown area",
        ),
        (
            "staff",
            STAFF_HEADER + "x1,某人,13900000003,station_master,510302001001001,,\n",
            "area_code",
            "works in a community",
        ),
        (
            "staff",
            STAFF_HEADER + "x1,某人,13900000003,department_operator,,nowhere,\n",
            "department_code",
            "unknown department",
        ),
        (
            "categories",
            "code,name,handler,department_code,priority\nx/y,某类,department,nowhere,normal\n",
            "department_code",
            "unknown department",
        ),
        ("gazetteer", "address,grid_code\n某路1号,510302001001\n", "grid_code", "unknown grid"),
        (
            "absences",
            "staff_id,start,end\nnobody,2026-11-21T00:00:00+08:00,2026-11-22T00:00:00+08:00\n",
            "staff_id",
            "unknown staff",
        ),
    ],
)
async def test_references_to_unknown_entries_are_refused(
    shared_demo_city: Any,
    shared_import_directory: Any,
    kind: str,
    body: str,
    field: str,
    message: str,
) -> None:
    response = await shared_import_directory(kind, body.encode())

    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [(p["row"], p["field"]) for p in problems] == [(1, field)]
    assert message in problems[0]["message"]


async def test_import_needs_the_admin_role(client: Any) -> None:
    files = {"file": ("d.csv", b"code,name\nx,y\n")}
    as_dispatcher = await client.post(
        "/v1/directory/import",
        params={"kind": "departments"},
        files=files,
        headers=bearer("dp1", "dispatcher", "510302"),
    )
    anonymous = await client.post(
        "/v1/directory/import", params={"kind": "departments"}, files=files
    )

    assert as_dispatcher.status_code == 403
    assert anonymous.status_code == 401


async def test_unknown_import_kind_is_422(client: Any) -> None:
    response = await client.post(
        "/v1/directory/import",
        params={"kind": "planets"},
        files={"file": ("x", b"")},
        headers=bearer("admin1", "admin", "510302"),
    )
    assert response.status_code == 422


async def test_grid_staff_show_posts_masked_phones_and_who_is_on_duty(
    demo_city: Any, client: Any
) -> None:
    response = await client.get(
        "/v1/directory/areas/510302001001002/staff",
        headers=bearer("sm11", "station_master", "510302001001"),
    )

    assert response.status_code == 200
    staff = {s["staff_id"]: s for s in response.json()}
    assert set(staff) == {"gl112", "gm112a", "gm112b"}
    assert staff["gm112a"]["post"] == "A"
    assert staff["gm112a"]["on_duty"] is False  # on leave in the demo city
    assert staff["gm112b"]["on_duty"] is True
    assert all("****" in s["phone_masked"] for s in staff.values())


async def test_on_duty_lists_who_is_working_now_below_an_area(demo_city: Any, client: Any) -> None:
    who = bearer("sm11", "station_master", "510302001001")

    community = await client.get(
        "/v1/directory/on-duty", params={"area_code": "510302001001"}, headers=who
    )
    water = await client.get(
        "/v1/directory/on-duty", params={"department_code": "water"}, headers=who
    )
    neither = await client.get("/v1/directory/on-duty", headers=who)

    on_duty = {s["staff_id"] for s in community.json()}
    assert {"sm11", "gl111", "gm111a", "gm111b", "gl112", "gm112b"} == on_duty
    assert "gm112a" not in on_duty  # on leave in the demo city
    assert {s["staff_id"] for s in water.json()} == {"water1", "water2"}
    assert neither.status_code == 422


DISTRICT_DEPARTMENTS = "code,name\nCG,城管局\nSW,水务局\nPCS,派出所\n0301,市政设施管理所\n"
DISTRICT_CATEGORIES = (
    "code,name,handler,department_code,priority\n"
    "Urban/Stall.Occupation,占道经营,department,CG,normal\n"
    "0301/01,井盖缺失,department,0301,urgent\n"
)
DISTRICT_OPERATORS = (
    STAFF_HEADER
    + "CG-01,城管一,13900000011,department_operator,,CG,\n"
    + "0301/op.1,市政一,13900000012,department_operator,,0301,\n"
)


async def test_a_district_with_uppercase_and_numeric_department_codes_imports_and_routes(
    demo_city: Any, import_directory: Any, report: Any, settled: Any, client: Any
) -> None:
    for kind, body in [
        ("departments", DISTRICT_DEPARTMENTS),
        ("categories", DISTRICT_CATEGORIES),
        ("staff", DISTRICT_OPERATORS),
    ]:
        imported = await import_directory(kind, body.encode())
        assert imported.status_code == 200, imported.text

    stall = await settled(await report(category_hint="Urban/Stall.Occupation"))
    manhole = await settled(await report(category_hint="0301/01"))

    assert (stall["department_code"], stall["assignee_id"]) == ("CG", "CG-01")
    assert (manhole["department_code"], manhole["assignee_id"]) == ("0301", "0301/op.1")
    tasks = await client.get(
        "/v1/tasks", headers=bearer("0301/op.1", "department_operator", None, "0301")
    )
    assert [c["id"] for c in tasks.json()] == [manhole["id"]]


async def test_department_codes_are_compared_exactly(demo_city: Any, import_directory: Any) -> None:
    assert (await import_directory("departments", DISTRICT_DEPARTMENTS.encode())).status_code == 200

    response = await import_directory(
        "staff", (STAFF_HEADER + "cg-02,城管二,13900000013,department_operator,,cg,\n").encode()
    )

    assert response.status_code == 422
    [problem] = response.json()["problems"]
    assert (problem["row"], problem["field"]) == (1, "department_code")
    assert "unknown department" in problem["message"]


async def test_grids_are_announced_with_their_polygons_and_the_levels_above_without(
    demo_city: Any, kafka_bootstrap: str, namespace: str
) -> None:
    """Intake learns the district's boundary from the grids' polygons (README: "The
    district's boundary on every channel")."""
    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.DIRECTORY), min_count=76
    )
    areas = [
        json.loads(r.value)["data"]
        for r in records
        if json.loads(r.value)["type"] == "directory.area_upserted"
    ]

    grids = [a for a in areas if a["level"] == "grid"]
    assert grids
    assert all(a["geometry"]["type"] in ("Polygon", "MultiPolygon") for a in grids)
    assert all(a["geometry"] is None for a in areas if a["level"] != "grid")
