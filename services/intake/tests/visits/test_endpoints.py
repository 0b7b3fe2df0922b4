"""Household visits end to end, against the real broker and database."""

from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

GRID = "510302001002003"
MEMBER = bearer("m-1", "grid_member", GRID)
ADDRESS = "示范区东城街道桂花路1号1栋2单元301"


async def test_a_visit_and_its_report_make_one_household_file(
    intake: Any, intake_events: Any
) -> None:
    visit = await intake.post(
        "/v1/visits",
        json={"address": ADDRESS, "household": "王家", "notes": "独居老人，腿脚不便"},
        headers=MEMBER,
    )
    assert visit.status_code == 201
    assert visit.json()["grid_code"] == GRID
    visit_id = visit.json()["id"]

    reported = await intake.post(
        f"/v1/visits/{visit_id}/reports",
        json={"description": "需要上门助餐", "category_hint": "civil/elderly-assistance"},
        headers=MEMBER,
    )
    assert reported.status_code == 201

    # Full-width digits and spaces: the same household.
    file = await intake.get(
        "/v1/visits",
        params={"address": "示范区东城街道 桂花路１号１栋２单元３０１"},
        headers=bearer("sm-1", "station_master", "510302001002"),
    )
    assert file.status_code == 200
    assert [v["id"] for v in file.json()] == [visit_id]
    assert file.json()[0]["reports"] == [reported.json()]
    events = {e["type"]: e for e in await intake_events(2)}
    data = events["case.reported"]["data"]
    assert data["channel"] == "visit"
    assert data["address"] == ADDRESS
    assert data["tracking_no"] == reported.json()["tracking_no"]
    # The visit itself, announced for the assessment: who, where, when; not the household.
    announced = events["visit.recorded"]
    assert announced["subject"] == visit_id
    assert announced["tenant"] == "510302"
    assert announced["data"] == {
        "visit_id": visit_id,
        "staff_id": "m-1",
        "staff_role": "grid_member",
        "grid_code": GRID,
        "visited_at": visit.json()["visited_at"],
    }
    assert ADDRESS not in str(announced) and "王家" not in str(announced)


async def test_a_replayed_visit_is_announced_once(intake: Any, intake_events: Any) -> None:
    headers = {**MEMBER, "Idempotency-Key": "visit-0001"}
    body = {"address": ADDRESS}

    first = await intake.post("/v1/visits", json=body, headers=headers)
    again = await intake.post("/v1/visits", json=body, headers=headers)
    other = await intake.post("/v1/visits", json=body, headers=MEMBER)

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 201)
    announced = [e for e in await intake_events(2) if e["type"] == "visit.recorded"]
    assert sorted(e["data"]["visit_id"] for e in announced) == sorted(
        [first.json()["id"], other.json()["id"]]
    )


async def test_visits_are_seen_only_within_the_callers_area(intake: Any) -> None:
    await intake.post("/v1/visits", json={"address": ADDRESS}, headers=MEMBER)

    outsider = await intake.get(
        "/v1/visits",
        params={"address": ADDRESS},
        headers=bearer("m-9", "grid_member", "510302001009001"),
    )

    assert outsider.status_code == 200
    assert outsider.json() == []


async def test_visit_in_another_grid_or_anothers_visit_is_403(intake: Any) -> None:
    elsewhere = await intake.post(
        "/v1/visits", json={"address": ADDRESS, "grid_code": "510302001002004"}, headers=MEMBER
    )
    visit = (await intake.post("/v1/visits", json={"address": ADDRESS}, headers=MEMBER)).json()
    theirs = await intake.post(
        f"/v1/visits/{visit['id']}/reports",
        json={"description": "x"},
        headers=bearer("m-3", "grid_member", GRID),
    )

    assert elsewhere.status_code == 403
    assert theirs.status_code == 403


@pytest.mark.parametrize("role", ["dispatcher", "ops", "district_center", "department_operator"])
async def test_desks_without_an_area_may_not_read_household_files(intake: Any, role: str) -> None:
    await intake.post(
        "/v1/visits", json={"address": ADDRESS, "household": "王大爷"}, headers=MEMBER
    )

    department = "D-CG" if role == "department_operator" else None  # its scope, not an area
    desk = await intake.get(
        "/v1/visits", params={"address": ADDRESS}, headers=bearer("d-1", role, None, department)
    )
    admin = await intake.get(
        "/v1/visits", params={"address": ADDRESS}, headers=bearer("a-1", "admin")
    )

    assert desk.status_code == 403, desk.text
    assert "王大爷" not in desk.text
    assert [v["household"] for v in admin.json()] == ["王大爷"]


async def test_building_words_and_full_width_digits_make_one_household(intake: Any) -> None:
    recorded = await intake.post(
        "/v1/visits", json={"address": "桂花路1号1号楼", "household": "李家"}, headers=MEMBER
    )
    visited = await intake.post(
        "/v1/visits", json={"address": "桂花路１号 1栋", "notes": "回访"}, headers=MEMBER
    )
    assert (recorded.status_code, visited.status_code) == (201, 201)

    file = await intake.get("/v1/visits", params={"address": "桂花路1号1幢"}, headers=MEMBER)

    assert file.status_code == 200
    assert [v["id"] for v in file.json()] == [recorded.json()["id"], visited.json()["id"]]
    assert [v["address"] for v in file.json()] == ["桂花路1号1号楼", "桂花路１号 1栋"]
