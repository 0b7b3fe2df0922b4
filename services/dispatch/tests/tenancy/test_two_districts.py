"""Two districts in one deployment (docs/adr/0005-districts-side-by-side.md): generated
districts of different shapes imported side by side; every read endpoint of dispatch
shows a district's people their district's cases only, and the city centre both."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer

from gridcase_events import envelope, payloads, topics
from gridcase_events.testing import bearer, eventually
from gridcase_events.testing_districts import GeneratedDistrict, generated_district

pytestmark = pytest.mark.integration

# Side by side, not overlapping: A spans 104.50–104.54, B 104.56–104.61.
A = generated_district("510311", west=104.50, south=29.50, shape=((2, 3), (1,)), seed=11)
B = generated_district("510422", west=104.56, south=29.50, shape=((1, 1, 2),), seed=22, size=0.05)
NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
DEMO = Path(__file__).resolve().parents[4] / "deploy" / "demo"
CITY_ADMIN = bearer("admin0", "admin")
CITY = bearer("cc1", "city_center")


def _who(d: GeneratedDistrict) -> dict[str, tuple[Any, ...]]:
    grid = d.grids[0]
    gm = next(s for s in d.staff if s[3] == "grid_member" and s[4] == grid.code and s[6] == "A")
    return {
        "district_center": (f"{d.code}-dc", "district_center", d.code),
        "dispatcher": (f"{d.code}-dp", "dispatcher", d.code),
        "street_officer": (f"{d.code}-so1", "street_officer", d.streets[0].code),
        "station_master": (f"{d.code}-sm11", "station_master", d.communities[0].code),
        "grid_member": (gm[0], "grid_member", grid.code),
        "water": (f"{d.code}-op-water", "department_operator", d.code, "water"),
        "ops": (f"{d.code}-ops", "ops", d.code),
    }


async def _report(
    producer: AIOKafkaProducer, namespace: str, *, tenant: str, **fields: Any
) -> UUID:
    """A `case.reported` as intake sends it, from the district intake says (`tenant`)."""
    case_id = envelope.new_id()
    data: dict[str, Any] = {
        "case_id": case_id,
        "tracking_no": tracking(case_id),
        "channel": "hotline",
        "external_ref": f"T-{case_id}",
        "reported_at": NOW,
        "content": "垃圾满溢",
        "priority": "normal",
        "category_hint": "environment/garbage-overflow",
    } | fields
    event = envelope.build(
        payloads.CaseReported(**data),
        subject=str(case_id),
        source="intake",
        tenant=tenant,
        correlation_id=f"corr-{case_id}",
        time=NOW,
    )
    await (
        await producer.send(
            topics.qualify(namespace, topics.INTAKE),
            key=str(case_id).encode(),
            value=event.to_bytes(),
        )
    )
    return case_id


def tracking(case_id: UUID | str) -> str:
    return f"GC-20261121-{str(case_id)[-6:].upper()}"


def _at(area: Any) -> dict[str, Any]:
    lat, lon = area.centre
    return {"location": {"lat": lat, "lon": lon}}


WATER = {"category_hint": "utility/water-outage"}


def _cases(d: GeneratedDistrict) -> dict[str, dict[str, Any]]:
    """The cases of one district, by name: in its first grid (assigned to the A post),
    in its last grid, its water department's (a point in it), and one it was reported
    in without a place (triage)."""
    return {
        "first-grid": {"tenant": "510302", **_at(d.grids[0])},
        "last-grid": {"tenant": "510302", **_at(d.grids[-1])},
        "water": {"tenant": "510302", **_at(d.grids[-1]), **WATER},
        "unplaced": {"tenant": d.code, "address": "不知道哪里"},
    }


AREA_ROLES = {"street_officer", "station_master", "grid_member"}
# What each person sees of their own district's cases, written out (an area role also
# sees the last grid's case when its area holds that grid).
OWN = {
    "district_center": {"first-grid", "last-grid", "water", "unplaced"},
    "dispatcher": {"first-grid", "last-grid", "water", "unplaced"},
    "ops": {"first-grid", "last-grid", "water", "unplaced"},
    "street_officer": {"first-grid"},
    "station_master": {"first-grid"},
    "grid_member": {"first-grid"},
    "water": {"water"},
}


@pytest.fixture
async def two_districts(
    client: Any, import_directory: Any, producer: AIOKafkaProducer, namespace: str
) -> dict[str, Any]:
    for kind, content in (
        ("departments", (DEMO / "departments.csv").read_bytes()),
        ("categories", (DEMO / "categories.csv").read_bytes()),
        ("areas", A.areas_geojson()),
        ("areas", B.areas_geojson()),
    ):
        answer = await import_directory(kind, content)
        assert answer.status_code == 200, answer.text
    for d in (A, B):
        staff = generated_district(
            d.code, west=0, south=0, shape=((1,),), seed=0, departments=("water",)
        )
        rows = d.staff + [s for s in staff.staff if s[3] == "department_operator"]
        rows.append((f"{d.code}-ops", "运维", "13700000000", "ops", d.code, "", ""))
        d_with_ops = GeneratedDistrict(code=d.code, name=d.name, areas=d.areas, staff=rows)
        answer = await import_directory("staff", d_with_ops.staff_csv())
        assert answer.status_code == 200, answer.text
    ids: dict[str, str] = {}
    for d in (A, B):
        for name, fields in _cases(d).items():
            ids[f"{d.code}:{name}"] = str(await _report(producer, namespace, **fields))

    async def settled() -> bool | None:
        seen = (await client.get("/v1/cases", params={"limit": 50}, headers=CITY)).json()
        return True if seen["total"] == len(ids) else None

    await eventually(settled)
    return ids


async def test_a_case_belongs_to_the_district_it_falls_in(
    client: Any, two_districts: dict[str, str]
) -> None:
    for key, case_id in two_districts.items():
        code, name = key.split(":")
        case = (await client.get(f"/v1/cases/{case_id}", headers=CITY)).json()
        assert case["district_code"] == code, key
        if name == "first-grid":
            assert case["status"] == "assigned", key


def _visible(ids: dict[str, str], district: str, names: set[str]) -> set[str]:
    return {ids[f"{district}:{n}"] for n in names}


async def _seen_by(client: Any, headers: dict[str, str], ids: dict[str, str]) -> dict[str, Any]:
    """Every read endpoint's answer for one token, as sets of case ids."""
    single = {
        case_id
        for case_id in ids.values()
        if (await client.get(f"/v1/cases/{case_id}", headers=headers)).status_code == 200
    }
    page = (await client.get("/v1/cases", params={"limit": 200}, headers=headers)).json()
    csv_rows = (await client.get("/v1/cases.csv", headers=headers)).content.decode().splitlines()
    by_tracking = {tracking(case_id): case_id for case_id in ids.values()}
    exported = {by_tracking[row.split(",")[0]] for row in csv_rows[1:]}
    points = (await client.get("/v1/cases.geojson", headers=headers)).json()
    queues = (await client.get("/v1/queues", headers=headers)).json()
    return {
        "single": single,
        "list": {row["id"] for row in page["items"]},
        "total": page["total"],
        "csv": exported,
        "geojson": {f["id"] for f in points["features"]},
        "queued": sum(q["count"] for q in queues["items"] if q["key"] != "mine"),
    }


@pytest.mark.parametrize("district", [A, B], ids=["A", "B"])
async def test_a_districts_people_see_its_cases_and_never_the_others(
    client: Any, two_districts: dict[str, str], district: GeneratedDistrict
) -> None:
    ids = two_districts
    for role, claims in _who(district).items():
        names = set(OWN[role])
        if claims[1] in AREA_ROLES and district.grids[-1].code.startswith(claims[2]):
            names.add("last-grid")  # a district of one street: its officer sees both
        want = _visible(ids, district.code, names)
        seen = await _seen_by(client, bearer(*claims), ids)
        assert seen["single"] == want, role
        assert seen["list"] == want, role
        assert seen["total"] == len(want), role
        assert seen["csv"] == want, role
        assert seen["geojson"] <= want, role  # a map shows the cases that have a point
        assert seen["queued"] <= len(want), role


async def test_the_city_centre_sees_both_districts(
    client: Any, two_districts: dict[str, str]
) -> None:
    seen = await _seen_by(client, CITY, two_districts)

    everything = set(two_districts.values())
    assert seen["single"] == seen["list"] == everything
    assert seen["total"] == len(everything)
    assert seen["csv"] == everything
    assert {two_districts[f"{d.code}:first-grid"] for d in (A, B)} <= seen["geojson"]


async def test_a_grid_member_s_tasks_are_their_districts_own(
    client: Any, two_districts: dict[str, str]
) -> None:
    for d, other in ((A, B), (B, A)):
        member = _who(d)["grid_member"]
        tasks = (await client.get("/v1/tasks", headers=bearer(*member))).json()
        assert [t["id"] for t in tasks] == [two_districts[f"{d.code}:first-grid"]]
        # The same staff id in a token of the other district sees none of them.
        stranger = bearer(member[0], "grid_member", other.grids[0].code)
        assert (await client.get("/v1/tasks", headers=stranger)).json() == []


async def test_a_dispatcher_cannot_send_a_case_into_another_district(
    client: Any, two_districts: dict[str, str]
) -> None:
    case_id = two_districts[f"{B.code}:unplaced"]
    dispatcher_b = bearer(*_who(B)["dispatcher"])

    refused = await client.post(
        f"/v1/cases/{case_id}/dispatch",
        json={"grid_code": A.grids[0].code, "reason": "它在隔壁区"},
        headers=dispatcher_b,
    )
    sent = await client.post(
        f"/v1/cases/{case_id}/dispatch",
        json={"grid_code": B.grids[0].code, "reason": "本区网格"},
        headers=dispatcher_b,
    )

    assert refused.status_code == 403, refused.text
    assert sent.status_code == 200, sent.text
    assert sent.json()["district_code"] == B.code


async def test_an_import_whose_grid_overlaps_another_districts_is_refused_whole(
    client: Any, import_directory: Any, two_districts: dict[str, str]
) -> None:
    # C's box starts inside B's (104.56–104.61): its first grids lie on B's ground.
    c = generated_district("510533", west=104.60, south=29.52, shape=((2,),), seed=33)

    answer = await import_directory("areas", c.areas_geojson())

    assert answer.status_code == 422, answer.text
    problems = answer.json()["problems"]
    assert any(
        p["field"] == "geometry" and "of district 510422" in p["message"] for p in problems
    ), problems
    areas = (await client.get("/v1/directory/areas", headers=CITY_ADMIN)).json()
    assert not [a for a in areas if a["code"].startswith("510533")]


async def test_a_districts_desk_looks_up_its_own_districts_people_only(
    client: Any, two_districts: dict[str, str]
) -> None:
    dispatcher_a = bearer(*_who(A)["dispatcher"])

    water = await client.get(
        "/v1/directory/on-duty", params={"department_code": "water"}, headers=dispatcher_a
    )
    theirs = await client.get(f"/v1/directory/areas/{B.grids[0].code}/staff", headers=dispatcher_a)
    everyone = await client.get(
        "/v1/directory/on-duty", params={"department_code": "water"}, headers=CITY
    )

    assert [s["staff_id"] for s in water.json()] == [f"{A.code}-op-water"]
    assert theirs.status_code == 403
    assert {s["staff_id"] for s in everyone.json()} == {f"{A.code}-op-water", f"{B.code}-op-water"}


async def test_a_districts_desk_draws_only_its_own_districts_areas(
    client: Any, two_districts: dict[str, str]
) -> None:
    dispatcher_a = bearer(*_who(A)["dispatcher"])
    listed = (await client.get("/v1/directory/areas", headers=dispatcher_a)).json()
    drawn = (
        await client.get(
            "/v1/directory/areas.geojson", params={"level": "grid"}, headers=dispatcher_a
        )
    ).json()
    everything = (
        await client.get("/v1/directory/areas.geojson", params={"level": "grid"}, headers=CITY)
    ).json()

    assert listed and {a["code"][:6] for a in listed} == {A.code}
    assert {f["properties"]["code"] for f in drawn["features"]} == {g.code for g in A.grids}
    assert {f["properties"]["code"][:6] for f in everything["features"]} == {A.code, B.code}


# --- imports walled by district ---------------------------------------------------

STAFF_HEADER = "staff_id,name,phone,role,area_code,department_code,post\n"


def _admin_of(d: GeneratedDistrict) -> dict[str, str]:
    return bearer(f"{d.code}-admin", "admin", d.code)


async def _import_as(client: Any, headers: dict[str, str], kind: str, content: bytes) -> Any:
    return await client.post(
        "/v1/directory/import",
        params={"kind": kind},
        files={"file": ("file", content)},
        headers=headers,
    )


def _refused_rows(answer: Any) -> list[tuple[int | None, str | None]]:
    assert answer.status_code == 403, answer.text
    assert "nothing applied" in answer.json()["detail"]
    return [(p["row"], p["field"]) for p in answer.json()["problems"]]


async def test_a_districts_admin_imports_their_districts_areas_only(
    client: Any, two_districts: dict[str, str]
) -> None:
    admin_a = _admin_of(A)

    theirs = await _import_as(client, admin_a, "areas", B.areas_geojson())
    own = await _import_as(client, admin_a, "areas", A.areas_geojson())

    assert _refused_rows(theirs) == [(i, "code") for i in range(1, len(B.areas) + 1)]
    assert own.status_code == 200, own.text
    assert own.json()["unchanged"] == len(A.areas)


async def test_a_districts_admin_cannot_take_place_or_promote_staff_beyond_it(
    client: Any, two_districts: dict[str, str]
) -> None:
    b_member = _who(B)["grid_member"][0]
    body = (
        STAFF_HEADER
        + f"{A.code}-new,新同事,13900000001,grid_member,{A.grids[0].code},,\n"
        + f"{b_member},挖走,13900000002,grid_member,{A.grids[0].code},,\n"
        + f"{A.code}-x,越界,13900000003,grid_member,{B.grids[0].code},,\n"
        + f"{A.code}-cc,市级,13900000004,city_center,,,\n"
        + f"{A.code}-ops2,无区,13900000005,ops,,,\n"
    )

    answer = await _import_as(client, _admin_of(A), "staff", body.encode())

    assert _refused_rows(answer) == [
        (2, "staff_id"),
        (3, "area_code"),
        (4, "role"),
        (5, "area_code"),
    ]
    assert f"is staff of district {B.code}" in answer.json()["problems"][0]["message"]
    staff_a = await client.get(
        f"/v1/directory/areas/{A.grids[0].code}/staff", headers=bearer(*_who(A)["dispatcher"])
    )
    assert {s["staff_id"] for s in staff_a.json()} & {f"{A.code}-new", b_member} == set()


async def test_a_districts_admin_adds_to_the_citys_catalogue_but_changes_nothing_in_it(
    client: Any, two_districts: dict[str, str]
) -> None:
    admin_a = _admin_of(A)
    renamed = b"code,name\nwater,A\xe5\x8c\xba\xe6\xb0\xb4\xe5\x8a\xa1\n"  # water,A区水务
    added = b"code,name\nwater,\xe6\xb0\xb4\xe5\x8a\xa1\xe5\xb1\x80\nGY,\xe5\x9b\xad\xe6\x9e\x97\n"

    refused = await _import_as(client, admin_a, "departments", renamed)
    taken = await _import_as(client, admin_a, "departments", added)
    same = await _import_as(client, admin_a, "categories", (DEMO / "categories.csv").read_bytes())

    assert _refused_rows(refused) == [(1, "code")]
    assert "only an admin of the whole deployment" in refused.json()["problems"][0]["message"]
    assert taken.status_code == 200, taken.text
    assert (taken.json()["created"], taken.json()["unchanged"]) == (1, 1)
    assert same.status_code == 200, same.text
    departments = (await client.get("/v1/directory/departments", headers=CITY)).json()
    assert {d["code"]: d["name"] for d in departments["items"]}["water"] == "水务局"


async def test_a_districts_admin_cannot_touch_another_districts_addresses_or_absences(
    client: Any, two_districts: dict[str, str]
) -> None:
    shared = "滨江路1号"
    b_address = f"address,grid_code\n{shared},{B.grids[0].code}\n".encode()
    assert (await _import_as(client, _admin_of(B), "gazetteer", b_address)).status_code == 200
    a_address = f"address,grid_code\n{shared},{A.grids[0].code}\n".encode()
    b_grid = f"address,grid_code\n桂花路9号,{B.grids[0].code}\n".encode()
    absence = (
        "staff_id,start,end\n"
        f"{_who(B)['grid_member'][0]},2026-11-22T00:00:00+08:00,2026-11-23T00:00:00+08:00\n"
    ).encode()

    moved = await _import_as(client, _admin_of(A), "gazetteer", a_address)
    placed = await _import_as(client, _admin_of(A), "gazetteer", b_grid)
    away = await _import_as(client, _admin_of(A), "absences", absence)

    assert _refused_rows(moved) == [(1, "address")]
    assert _refused_rows(placed) == [(1, "grid_code")]
    assert _refused_rows(away) == [(1, "staff_id")]


async def test_a_department_operator_without_a_district_sees_the_deployments_own_only(
    client: Any, two_districts: dict[str, str], producer: AIOKafkaProducer, namespace: str
) -> None:
    # The deployment's own district (GRIDCASE_TENANT, 510302) has a water case too.
    home = str(await _report(producer, namespace, tenant="510302", address="不知道哪里", **WATER))

    async def reported() -> bool | None:
        answer = await client.get(f"/v1/cases/{home}", headers=CITY)
        return True if answer.status_code == 200 else None

    await eventually(reported)
    everywhere = {**two_districts, "510302:water": home}
    operator = bearer("op-water", "department_operator", department_code="water")

    seen = await _seen_by(client, operator, everywhere)
    on_duty = await client.get(
        "/v1/directory/on-duty", params={"department_code": "water"}, headers=operator
    )

    assert seen["single"] == seen["list"] == seen["csv"] == {home}
    assert seen["total"] == 1
    assert on_duty.json() == []  # the water operators of A and B are not theirs
