"""A grid member signs in at the city's identity provider — a real OpenID Connect provider
(npm's oidc-provider, web/e2e/oidc/provider.mjs) started here — with the authorization code
flow and PKCE, and works with the token it issued: the services, run in production, verify
it (RS256, against the provider's JWKS, issuer and audience checked, role and area from its
claims). Production offers no development sign-in."""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from gridcase_cli import webstack
from gridcase_events.kit import signing
from gridcase_events.testing import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

PROVIDER_SCRIPT = Path(__file__).resolve().parent / "oidc" / "provider.mjs"
CLIENT_ID = "gridcase-web"
AUDIENCE = "urn:gridcase:api"
SCOPE = "gridcase"
KEY_ID = "e2e-key-1"
HOTLINE_SECRET = secrets.token_hex(32)
ACCOUNTS = {
    "gm111a": {"name": "李磊静", "role": "grid_member", "area_code": "510302001001001"},
    "admin0": {"name": "管理员", "role": "admin"},  # of the whole deployment: imports the demo
}


@pytest.fixture(scope="module")
def web_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def identity_provider(
    web_port: int, signing_key: rsa.RSAPrivateKey, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The provider on a free loopback port; yields its issuer URL."""
    node = shutil.which("node")
    if node is None or not (PROVIDER_SCRIPT.parents[2] / "node_modules" / "oidc-provider").exists():
        if os.environ.get("CI"):
            pytest.fail("node and web/node_modules (npm ci) are needed by the browser tests")
        pytest.skip("node or web/node_modules/oidc-provider is missing: cd web && npm ci")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    # The provider signs and verifies (an ID token hint) with it: no key_ops limit.
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key))
    jwk.pop("key_ops", None)
    app = f"http://127.0.0.1:{web_port}"
    config = {
        "port": port,
        "issuer": issuer,
        "audience": AUDIENCE,
        "scope": SCOPE,
        "signingKey": {**jwk, "kid": KEY_ID, "use": "sig", "alg": "RS256"},
        "client": {
            "client_id": CLIENT_ID,
            "redirect_uris": [f"{app}/auth/callback"],
            "post_logout_redirect_uris": [f"{app}/sign-in"],
        },
        "accounts": ACCOUNTS,
    }
    path = tmp_path_factory.mktemp("oidc") / "config.json"
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    log = path.with_name("provider.log")
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            [node, str(PROVIDER_SCRIPT), str(path)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=PROVIDER_SCRIPT.parents[2],
        )
    try:
        deadline = time.monotonic() + 30
        while b"ready" not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the identity provider did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield issuer
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def provider_token(key: rsa.RSAPrivateKey, issuer: str, sub: str) -> str:
    """A token as the provider signs them (for the test's own set-up calls)."""
    now = datetime.now(UTC)
    claims = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": sub,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=10)).timestamp()),
        **{k: v for k, v in ACCOUNTS[sub].items() if k != "name"},
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})


@pytest.fixture(scope="module")
def platform_env(identity_provider: str) -> dict[str, str]:
    return {
        "GRIDCASE_ENV": "production",
        "GRIDCASE_JWT_JWKS_URL": f"{identity_provider}/jwks",
        "GRIDCASE_JWT_ISSUER": identity_provider,
        "GRIDCASE_JWT_AUDIENCE": AUDIENCE,
        "GRIDCASE_OIDC_CLIENT_ID": CLIENT_ID,
        "GRIDCASE_OIDC_SCOPES": f"openid profile {SCOPE}",
        "GRIDCASE_HOTLINE_SECRETS": HOTLINE_SECRET,
        "GRIDCASE_PII_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


@pytest.fixture(scope="module")
def platform_admin(identity_provider: str, signing_key: rsa.RSAPrivateKey) -> dict[str, str]:
    return {"Authorization": f"Bearer {provider_token(signing_key, identity_provider, 'admin0')}"}


@pytest.fixture(scope="module")
def workbench(
    platform: Any,
    web_dist: Path,
    web_port: int,
    identity_provider: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The one origin on the port the provider knows, its CSP letting the app reach the
    provider."""
    proc = webstack.start_nginx(
        run_dir=tmp_path_factory.mktemp("nginx"),
        port=web_port,
        web_root=web_dist,
        urls=platform.urls,
        connect_src=identity_provider,
    )
    try:
        yield f"http://127.0.0.1:{web_port}"
    finally:
        webstack.stop_nginx(proc)


async def push_ticket(platform: Any, content: str) -> dict[str, str]:
    body = json.dumps(
        {
            "ticket_no": f"OIDC-{secrets.token_hex(4)}",
            "received_at": datetime.now(UTC).isoformat(),
            "caller_phone": "13912345678",
            "content": content,
            "category_hint": "environment/garbage-overflow",
            "lat": 29.355,
            "lon": 104.7725,
        },
        ensure_ascii=False,
    ).encode()
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{platform.urls['intake']}/v1/hotline/tickets",
            content=body,
            headers={
                "Content-Type": "application/json",
                signing.HEADER: signing.sign(HOTLINE_SECRET, body, now=datetime.now(UTC)),
            },
        )
    assert response.status_code == 201, response.text
    result: dict[str, str] = response.json()
    return result


async def test_production_offers_no_development_sign_in(workbench: str, phone: Any) -> None:
    async with httpx.AsyncClient() as client:
        people = await client.get(f"{workbench}/api/dispatch/v1/dev/people")
        sign_in = await client.post(
            f"{workbench}/api/dispatch/v1/dev/sign-in", json={"staff_id": "gm111a"}
        )
    assert (people.status_code, sign_in.status_code) == (404, 404)

    page = phone.page
    await page.goto(f"{workbench}/sign-in")

    await page.get_by_role("button", name="使用统一身份认证登录").wait_for()
    assert await page.locator("button.person").count() == 0
    assert "开发环境登录" not in await page.locator("main").inner_text()


async def test_grid_member_signs_in_with_pkce_and_works_with_the_issued_token(
    platform: Any, workbench: str, phone: Any, identity_provider: str, journey: Any
) -> None:
    accessibility_problems = journey.accessibility_problems
    case = await push_ticket(platform, "签到测试：桂花路1号垃圾满溢")
    page = phone.page
    authorize_requests: list[str] = []
    page.on(
        "request",
        lambda request: (
            authorize_requests.append(request.url)
            if request.url.startswith(f"{identity_provider}/auth?")
            else None
        ),
    )

    await page.goto(f"{workbench}/tasks")
    # Signed out: the sign-in page, with the identity provider only.
    button = page.get_by_role("button", name="使用统一身份认证登录")
    await button.wait_for()
    assert await accessibility_problems(page) == []
    await button.click()

    # The provider's own login and consent pages.
    await page.locator("input[name=login]").fill("gm111a")
    await page.locator("input[name=password]").fill("any password")
    await page.locator("button[type=submit]").click()
    await page.locator("button[type=submit]", has_text="Continue").click()

    # Back in the app: the person and the case, fetched with the provider's token.
    await page.wait_for_url(f"{workbench}/tasks")
    await page.get_by_text("李磊静").first.wait_for()
    await page.get_by_text("签到测试：桂花路1号垃圾满溢").wait_for(timeout=60_000)
    assert await accessibility_problems(page) == []

    # Authorization code with PKCE (S256), a state and a nonce.
    query = parse_qs(urlparse(authorize_requests[0]).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert query["client_id"] == [CLIENT_ID]

    # The session lives in this tab only (sessionStorage), and its token is the provider's.
    stored = await page.evaluate("() => sessionStorage.getItem('gridcase.session')")
    assert await page.evaluate("() => localStorage.getItem('gridcase.session')") is None
    session = json.loads(stored)
    assert session["via"] == "oidc"
    claims = jwt.decode(session["token"], options={"verify_signature": False})
    assert (claims["iss"], claims["aud"], claims["sub"], claims["role"]) == (
        identity_provider,
        AUDIENCE,
        "gm111a",
        "grid_member",
    )
    assert jwt.get_unverified_header(session["token"])["alg"] == "RS256"
    async with httpx.AsyncClient() as client:
        shown = await client.get(
            f"{workbench}/api/dispatch/v1/cases/{case['case_id']}",
            headers={"Authorization": f"Bearer {session['token']}"},
        )
    assert shown.status_code == 200, shown.text

    # Signing out ends the session here and at the provider.
    await page.get_by_role("button", name="退出登录").click()
    await page.get_by_role("button", name="Yes, sign me out").click()
    await page.wait_for_url(f"{workbench}/sign-in")
    assert await page.evaluate("() => sessionStorage.getItem('gridcase.session')") is None
    assert phone.console_errors == []
