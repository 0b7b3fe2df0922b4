"""Personal saved searches."""

from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

ME = bearer("dp1", "dispatcher", "510302")
OTHER = bearer("dc1", "district_center", "510302")


async def test_a_view_is_saved_listed_and_deleted_by_its_owner_only(client: Any) -> None:
    created = await client.post(
        "/v1/views",
        json={
            "name": "桂花超期",
            "filter": {"area_code": "510302001001", "sla": "breached"},
            "sort": "due_at",
        },
        headers=ME,
    )
    assert created.status_code == 201, created.text
    view = created.json()
    assert view["filter"] == {"area_code": "510302001001", "sla": "breached"}

    assert [v["name"] for v in (await client.get("/v1/views", headers=ME)).json()] == ["桂花超期"]
    assert (await client.get("/v1/views", headers=OTHER)).json() == []
    assert (await client.delete(f"/v1/views/{view['id']}", headers=OTHER)).status_code == 404
    assert (await client.delete(f"/v1/views/{view['id']}", headers=ME)).status_code == 204
    assert (await client.get("/v1/views", headers=ME)).json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "x", "filter": {"sla": "purple"}},
        {"name": "x", "filter": {"colour": "red"}},
        {"name": "x", "sort": "content"},
    ],
)
async def test_a_bad_view_is_422(client: Any, body: dict[str, Any]) -> None:
    assert (await client.post("/v1/views", json=body, headers=ME)).status_code == 422


async def test_a_name_is_used_once(client: Any) -> None:
    assert (await client.post("/v1/views", json={"name": "a"}, headers=ME)).status_code == 201
    again = await client.post("/v1/views", json={"name": "a"}, headers=ME)
    assert again.status_code == 409
