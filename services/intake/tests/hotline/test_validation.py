"""Bad input gets a precise 4xx and nothing is stored (beyond test_hotline's cases)."""

from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from intake.config import IntakeSettings

pytestmark = pytest.mark.integration


async def _nothing_stored(db: Any) -> bool:
    async with db.connect() as conn:
        cases = (await conn.execute(text("SELECT count(*) FROM intake.cases"))).scalar_one()
        events = (await conn.execute(text("SELECT count(*) FROM intake.outbox"))).scalar_one()
    return cases == 0 and events == 0


@pytest.mark.parametrize(
    ("point", "field"),
    [
        ({"lat": 31.23, "lon": 121.47}, "lat"),  # Shanghai: both out, lat named first
        ({"lat": 29.36, "lon": 105.5}, "lon"),
        ({"lat": 29.2, "lon": 104.78}, "lat"),
    ],
)
async def test_coordinates_outside_the_district_are_422_with_the_bounds(
    shared_push: Any, ticket: Any, shared_db: Any, point: dict[str, float], field: str
) -> None:
    response = await shared_push(ticket(**point))

    assert response.status_code == 422
    errors = response.json()["detail"]
    error = next(e for e in errors if e["loc"] == ["body", field])
    assert error["type"] == "outside_district"
    assert "outside the district" in error["msg"]
    assert "INTAKE_DISTRICT_BOUNDS" in error["msg"]
    assert await _nothing_stored(shared_db)


@pytest.mark.parametrize("settings_overrides", [{"district_bounds": "104.775,29.35,104.79,29.37"}])
async def test_the_district_bounds_are_a_setting(push: Any, ticket: Any) -> None:
    outside = await push(ticket(lon=104.7725))
    inside = await push(ticket(ticket_no="IN-1", lon=104.7775))

    assert outside.status_code == 422
    assert "lon 104.775..104.79" in outside.json()["detail"][0]["msg"]
    assert inside.status_code == 201


async def test_a_point_at_the_edge_of_the_demo_district_is_accepted(push: Any, ticket: Any) -> None:
    # deploy/demo/areas.geojson spans 104.77–104.79 E, 29.35–29.37 N.
    response = await push(ticket(lat=29.37, lon=104.79))
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        (
            b'{"ticket_no": "NUL-1", "received_at": "2026-11-21T17:25:00+08:00", '
            b'"content": "a\\u0000b"}',
            "content",
        ),
        (
            b'{"ticket_no": "NAN-1", "received_at": "2026-11-21T17:25:00+08:00", '
            b'"content": "x", "lat": NaN, "lon": 104.78}',
            "lat",
        ),
        (b"\xff\xfe{not utf-8}", None),
        (b"[]", None),
        (b"null", None),
    ],
)
async def test_malformed_bodies_are_422_not_500(
    shared_push: Any, shared_db: Any, raw: bytes, what: str | None
) -> None:
    response = await shared_push(raw)

    assert response.status_code == 422, response.text
    if what is not None:
        assert any(what in e["loc"] for e in response.json()["detail"])
    assert await _nothing_stored(shared_db)


@pytest.mark.parametrize(
    "raw",
    ["104.77,29.35,104.79", "a,b,c,d", "104.79,29.35,104.77,29.37", "104,95,105,96"],
)
def test_bad_district_bounds_stop_the_service_from_starting(raw: str) -> None:
    with pytest.raises(ValidationError, match="district bounds"):
        IntakeSettings(env="development", district_bounds=raw)
