from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dispatch.config import DispatchSettings
from dispatch.main import create_app
from gridcase_events.kit import auth
from gridcase_events.kit.clock import ManualClock
from gridcase_events.kit.settings import DEV_JWT_SECRET
from gridcase_events.testing import running

pytestmark = pytest.mark.integration


async def test_people_lists_the_directory_with_area_and_department_names(demo_city: Any) -> None:
    response = await demo_city.get("/v1/dev/people")

    assert response.status_code == 200, response.text
    people = {p["staff_id"]: p for p in response.json()}
    assert people["gm111a"] == {
        "staff_id": "gm111a",
        "name": "李磊静",
        "role": "grid_member",
        "post": "A",
        "area_code": "510302001001001",
        "area_name": people["gm111a"]["area_name"],
        "department_code": None,
        "department_name": None,
    }
    assert people["gm111a"]["area_name"]
    assert people["water1"]["department_name"]
    assert "phone" not in str(response.json())
    assert "138" not in response.text


async def test_sign_in_mints_a_token_for_that_person(demo_city: Any) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    response = await demo_city.post("/v1/dev/sign-in", json={"staff_id": "gm111a"})

    assert response.status_code == 200, response.text
    body = response.json()
    principal = auth.decode(body["token"], DEV_JWT_SECRET)
    assert (principal.sub, principal.role, principal.area_code) == (
        "gm111a",
        "grid_member",
        "510302001001001",
    )
    assert principal.exp is not None
    assert before + timedelta(hours=12) <= principal.exp <= datetime.now(UTC) + timedelta(hours=12)
    assert body["expires_at"].startswith(principal.exp.isoformat()[:19])
    tasks = await demo_city.get("/v1/tasks", headers={"Authorization": f"Bearer {body['token']}"})
    assert tasks.status_code == 200


async def test_sign_in_as_a_department_operator_carries_the_department(demo_city: Any) -> None:
    response = await demo_city.post("/v1/dev/sign-in", json={"staff_id": "water1"})

    principal = auth.decode(response.json()["token"], DEV_JWT_SECRET)
    # The operator's district rides along: their department's cases of that district only.
    assert (principal.role, principal.department_code, principal.area_code) == (
        "department_operator",
        "water",
        "510302",
    )


async def test_sign_in_as_nobody_is_404(demo_city: Any) -> None:
    response = await demo_city.post("/v1/dev/sign-in", json={"staff_id": "nobody"})

    assert response.status_code == 404
    assert "nobody" in response.json()["detail"]


async def test_sign_in_without_a_staff_id_is_422(demo_city: Any) -> None:
    response = await demo_city.post("/v1/dev/sign-in", json={"staff_id": ""})

    assert response.status_code == 422


@pytest.fixture
async def production(
    fresh_database: str, kafka_bootstrap: str, namespace: str, clock: ManualClock
) -> AsyncIterator[Any]:
    settings = DispatchSettings(
        env="production",
        database_url=fresh_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
        jwt_secret="p" * 40,
        hotline_secrets_raw="h" * 40,
        pii_key="Z3JpZGNhc2UtdGVzdC1waWkta2V5LTMyLWJ5dGVzISE=",
    )
    async with running(create_app(settings, clock=clock)) as c:
        yield c


async def test_production_has_no_development_sign_in(production: Any) -> None:
    people = await production.get("/v1/dev/people")
    sign_in = await production.post("/v1/dev/sign-in", json={"staff_id": "gm111a"})

    assert (people.status_code, sign_in.status_code) == (404, 404)
    assert "/v1/dev/sign-in" not in (await production.get("/openapi.json")).text
