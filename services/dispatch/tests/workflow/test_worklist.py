"""Who may see a case: the worklist's scope rules."""

from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration


@pytest.fixture
async def case_in_guihua_1(demo_city: Any, report: Any, settled: Any) -> dict[str, Any]:
    result: dict[str, Any] = await settled(await report(location={"lat": 29.355, "lon": 104.7725}))
    return result


@pytest.fixture(scope="module")
async def shared_case_in_guihua_1(
    shared_demo_city: Any, shared_report: Any, shared_settled: Any
) -> dict[str, Any]:
    """As `case_in_guihua_1`, once for the module's read-only tests."""
    location = {"lat": 29.355, "lon": 104.7725}
    result: dict[str, Any] = await shared_settled(await shared_report(location=location))
    return result


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (("gm111a", "grid_member", "510302001001001", None), 200),
        (("gl111", "grid_leader", "510302001001001", None), 200),
        (("sm11", "station_master", "510302001001", None), 200),
        (("so1", "street_officer", "510302001", None), 200),
        (("dc1", "district_center", "510302", None), 200),
        (("gm211a", "grid_member", "510302002001001", None), 403),
        (("gl112", "grid_leader", "510302001001002", None), 403),
        (("sm12", "station_master", "510302001002", None), 403),
        (("so2", "street_officer", "510302002", None), 403),
        (("water1", "department_operator", None, "water"), 403),
    ],
)
async def test_a_case_is_visible_only_within_scope(
    shared_client: Any, shared_case_in_guihua_1: dict[str, Any], who: tuple[Any, ...], status: int
) -> None:
    case_id = shared_case_in_guihua_1["id"]
    response = await shared_client.get(f"/v1/cases/{case_id}", headers=bearer(*who))
    assert response.status_code == status


async def test_my_tasks_lists_what_is_assigned_to_me(
    client: Any, case_in_guihua_1: dict[str, Any]
) -> None:
    mine = await client.get("/v1/tasks", headers=bearer("gm111a", "grid_member", "510302001001001"))
    theirs = await client.get(
        "/v1/tasks", headers=bearer("gm111b", "grid_member", "510302001001001")
    )

    assert [c["id"] for c in mine.json()] == [case_in_guihua_1["id"]]
    assert theirs.json() == []


async def test_no_token_is_401_and_a_forged_one_too(
    client: Any, case_in_guihua_1: dict[str, Any]
) -> None:
    assert (await client.get("/v1/tasks")).status_code == 401
    forged = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"}
    assert (await client.get("/v1/tasks", headers=forged)).status_code == 401


async def test_an_offset_beyond_any_worklist_is_422_not_a_database_error(client: Any) -> None:
    member = bearer("gm111a", "grid_member", "510302001001001")

    huge = await client.get(
        "/v1/tasks", params={"offset": "4308354508938190219420631040"}, headers=member
    )
    largest = await client.get("/v1/tasks", params={"offset": "1000000"}, headers=member)

    assert huge.status_code == 422
    assert [e["loc"] for e in huge.json()["detail"]] == [["query", "offset"]]
    assert (largest.status_code, largest.json()) == (200, [])
