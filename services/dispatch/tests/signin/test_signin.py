from collections.abc import AsyncIterator
from typing import Any

import pytest

from dispatch.config import DispatchSettings
from dispatch.main import create_app
from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import bearer, running

pytestmark = pytest.mark.integration

ISSUER = "https://sso.city.example/realms/gridcase"


async def test_development_without_a_provider_offers_the_development_sign_in_only(
    client: Any,
) -> None:
    response = await client.get("/v1/sign-in/config")

    assert response.status_code == 200, response.text
    assert response.json() == {"methods": ["development"], "oidc": None}


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
        jwt_issuer=ISSUER,
        oidc_client_id="gridcase-web",
        oidc_scopes="openid profile gridcase",
        hotline_secrets_raw="h" * 40,
        pii_key="Z3JpZGNhc2UtdGVzdC1waWkta2V5LTMyLWJ5dGVzISE=",
    )
    async with running(create_app(settings, clock=clock)) as c:
        yield c


async def test_production_offers_the_identity_provider_only(production: Any) -> None:
    response = await production.get("/v1/sign-in/config")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "methods": ["oidc"],
        "oidc": {
            "issuer": ISSUER,
            "client_id": "gridcase-web",
            "scopes": "openid profile gridcase",
            "redirect_path": "/auth/callback",
            "post_logout_redirect_path": "/sign-in",
        },
    }


def test_scopes_without_openid_are_refused() -> None:
    with pytest.raises(ValueError, match="openid"):
        DispatchSettings(env="development", oidc_scopes="profile email")


async def test_me_is_the_caller_as_the_directory_has_them(demo_city: Any) -> None:
    response = await demo_city.get(
        "/v1/me", headers=bearer("gm111a", "grid_member", "510302001001001")
    )

    assert response.status_code == 200, response.text
    assert response.json()["name"] == "李磊静"
    assert response.json()["area_code"] == "510302001001001"


async def test_me_of_someone_not_in_the_directory_is_404(demo_city: Any) -> None:
    response = await demo_city.get(
        "/v1/me", headers=bearer("ghost", "grid_member", "510302001001001")
    )

    assert response.status_code == 404
    assert "ghost" in response.json()["detail"]


async def test_me_without_a_token_is_401(client: Any) -> None:
    assert (await client.get("/v1/me")).status_code == 401
