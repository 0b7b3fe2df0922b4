"""Areas as GeoJSON for the map."""

from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

DISPATCHER = bearer("dp1", "dispatcher", "510302")


async def test_the_grids_of_a_community_come_as_polygons(client: Any, demo_city: Any) -> None:
    response = await client.get(
        "/v1/directory/areas.geojson",
        params={"level": "grid", "parent": "510302001001"},
        headers=DISPATCHER,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in body["features"]] == [
        "桂花社区一网格",
        "桂花社区二网格",
    ]
    assert body["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


async def test_areas_need_a_token_and_a_known_level(client: Any) -> None:
    assert (await client.get("/v1/directory/areas.geojson")).status_code == 401
    bad = await client.get(
        "/v1/directory/areas.geojson", params={"level": "planet"}, headers=DISPATCHER
    )
    assert bad.status_code == 422
