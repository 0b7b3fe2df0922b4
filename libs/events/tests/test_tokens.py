"""Tokens carry an issuer and an audience, checked in production, so a token for one
service is not a token for all; RS256 tokens are verified against the identity
provider's JWKS, fetched from a real local HTTP endpoint (docs/adr/0004-hs256-to-rs256.md)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from gridcase_events.kit.auth import (
    CurrentPrincipal,
    JwksKeys,
    KeysUnavailable,
    TokenVerifier,
    mint,
)
from gridcase_events.kit.settings import PlatformSettings
from gridcase_events.testing import HttpSink

SECRET = "a-production-jwt-secret-of-32-bytes-or-more"
HOTLINE = "a-production-hotline-secret-32-bytes-long"
PII = "cGlpLWtleS1mb3ItdGVzdHMtb25seS0zMi1ieXRlcyE="
NOW = datetime.now(UTC)  # PyJWT checks `exp` against the system clock
GRID = "510302001001001"


def production(**extra: Any) -> PlatformSettings:
    values: dict[str, Any] = {
        "env": "production",
        "hotline_secrets_raw": HOTLINE,
        "pii_key": PII,
    }
    if "jwt_jwks_url" not in extra:
        values["jwt_secret"] = SECRET
    return PlatformSettings(**(values | extra))


def hs256(claims: dict[str, Any]) -> str:
    base = {"sub": "gl111", "role": "grid_leader", "area_code": GRID}
    return jwt.encode(
        base | {"exp": int((NOW + timedelta(hours=1)).timestamp())} | claims,
        SECRET,
        algorithm="HS256",
    )


# ------------------------------------------------------------- issuer and audience


async def test_minted_token_carries_issuer_and_every_services_audience() -> None:
    token = mint(SECRET, sub="gl111", role="grid_leader", area_code=GRID, now=NOW)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == "gridcase"
    assert claims["aud"] == [
        "gridcase-intake",
        "gridcase-dispatch",
        "gridcase-escalation",
        "gridcase-notify",
    ]
    verifier = TokenVerifier.from_settings(production(), service="dispatch")
    assert (await verifier.verify(token)).sub == "gl111"


async def test_production_refuses_a_token_for_another_service() -> None:
    verifier = TokenVerifier.from_settings(production(), service="dispatch")
    token = hs256({"iss": "gridcase", "aud": "gridcase-notify"})
    with pytest.raises(ValueError, match="not issued for this service"):
        await verifier.verify(token)


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"iss": "gridcase"}, "audience"),
        ({"aud": "gridcase-dispatch"}, "issuer"),
        ({"iss": "someone-else", "aud": "gridcase-dispatch"}, "issuer"),
    ],
    ids=["no-audience", "no-issuer", "other-issuer"],
)
async def test_production_requires_issuer_and_audience(claims: dict[str, Any], reason: str) -> None:
    verifier = TokenVerifier.from_settings(production(), service="dispatch")
    with pytest.raises(ValueError, match=reason):
        await verifier.verify(hs256(claims))


async def test_development_accepts_a_token_without_issuer_and_audience() -> None:
    settings = PlatformSettings(env="development", jwt_secret=SECRET)
    verifier = TokenVerifier.from_settings(settings, service="dispatch")
    assert (await verifier.verify(hs256({}))).area_code == GRID


async def test_configured_issuer_and_audience_are_the_ones_checked() -> None:
    settings = production(jwt_issuer="https://idp.city.gov.cn", jwt_audience_raw="workbench")
    verifier = TokenVerifier.from_settings(settings, service="dispatch")
    token = mint(SECRET, sub="gl111", role="grid_leader", area_code=GRID, now=NOW)
    with pytest.raises(ValueError, match="issuer"):
        await verifier.verify(token)
    ok = mint(
        SECRET, sub="gl111", role="grid_leader", area_code=GRID, now=NOW, **settings.token_claims()
    )
    assert (await verifier.verify(ok)).sub == "gl111"


async def test_a_service_answers_401_to_a_token_for_another_service() -> None:
    app = FastAPI()
    app.state.runtime = SimpleNamespace(service="dispatch", settings=production())

    @app.get("/v1/tasks")
    async def tasks(principal: CurrentPrincipal) -> dict[str, str]:
        return {"sub": principal.sub}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        other = await client.get(
            "/v1/tasks",
            headers={
                "Authorization": f"Bearer {hs256({'iss': 'gridcase', 'aud': 'gridcase-notify'})}"
            },
        )
        mine = await client.get(
            "/v1/tasks",
            headers={
                "Authorization": f"Bearer {hs256({'iss': 'gridcase', 'aud': 'gridcase-dispatch'})}"
            },
        )
    assert other.status_code == 401
    assert other.json() == {"detail": "invalid token: not issued for this service (audience)"}
    assert mine.status_code == 200


# ------------------------------------------------------------------ RS256 and JWKS


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    public: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return public | {"kid": kid, "use": "sig", "alg": "RS256"}


def rs256(key: rsa.RSAPrivateKey, kid: str, **claims: Any) -> str:
    payload = {
        "iss": "https://idp.city.gov.cn/realms/grid",
        "aud": "gridcase-workbench",
        "sub": "gl111",
        "exp": int((NOW + timedelta(hours=1)).timestamp()),
        "gridcase": {"role": "grid_leader", "area": GRID},
    } | claims
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


def idp_settings(sink: HttpSink) -> PlatformSettings:
    return production(
        jwt_jwks_url=f"{sink.url}/realms/grid/certs",
        jwt_issuer="https://idp.city.gov.cn/realms/grid",
        jwt_audience_raw="gridcase-workbench",
        jwt_role_claim="gridcase.role",
        jwt_area_claim="gridcase.area",
        jwt_jwks_min_refresh_seconds=0,
    )


async def test_rs256_token_is_verified_against_the_jwks_with_mapped_claims(
    http_sink: HttpSink,
) -> None:
    key = rsa_key()
    http_sink.reply_next(json={"keys": [jwk(key, "k1")]})
    verifier = TokenVerifier.from_settings(idp_settings(http_sink), service="dispatch")

    first = await verifier.verify(rs256(key, "k1"))
    second = await verifier.verify(rs256(key, "k1", sub="gm111a"))

    assert (first.sub, first.role, first.area_code) == ("gl111", "grid_leader", GRID)
    assert second.sub == "gm111a"
    assert [r.path for r in http_sink.requests] == ["/realms/grid/certs"]  # cached


async def test_a_new_key_id_fetches_the_jwks_again(http_sink: HttpSink) -> None:
    old, new = rsa_key(), rsa_key()
    http_sink.reply_next(json={"keys": [jwk(old, "k1")]})
    http_sink.reply_next(json={"keys": [jwk(old, "k1"), jwk(new, "k2")]})
    verifier = TokenVerifier.from_settings(idp_settings(http_sink), service="dispatch")

    await verifier.verify(rs256(old, "k1"))
    rotated = await verifier.verify(rs256(new, "k2"))

    assert rotated.sub == "gl111"
    assert len(http_sink.requests) == 2


async def test_a_token_signed_by_a_key_not_in_the_jwks_is_refused(http_sink: HttpSink) -> None:
    known, stranger = rsa_key(), rsa_key()
    http_sink.reply_next(json={"keys": [jwk(known, "k1")]}, times=2)
    verifier = TokenVerifier.from_settings(idp_settings(http_sink), service="dispatch")

    with pytest.raises(ValueError, match="unknown key"):
        await verifier.verify(rs256(stranger, "k9"))
    with pytest.raises(ValueError, match="Signature verification failed"):
        await verifier.verify(rs256(stranger, "k1"))


async def test_unknown_key_ids_fetch_the_jwks_at_most_once_per_interval(
    http_sink: HttpSink,
) -> None:
    key = rsa_key()
    http_sink.reply_next(json={"keys": [jwk(key, "k1")]}, times=3)
    now = [1000.0]
    keys = JwksKeys(f"{http_sink.url}/certs", min_refresh=30, monotonic=lambda: now[0])

    await keys.key("k1")
    for kid in ("made-up-1", "made-up-2", "made-up-3"):
        with pytest.raises(ValueError, match="unknown key"):
            await keys.key(kid)
    assert len(http_sink.requests) == 1
    now[0] += 31
    with pytest.raises(ValueError, match="unknown key"):
        await keys.key("made-up-4")
    assert len(http_sink.requests) == 2


async def test_rs256_refuses_hs256_tokens_and_checks_the_audience(http_sink: HttpSink) -> None:
    key = rsa_key()
    http_sink.reply_next(json={"keys": [jwk(key, "k1")]})
    verifier = TokenVerifier.from_settings(idp_settings(http_sink), service="dispatch")

    with pytest.raises(ValueError, match="algorithm must be RS256"):
        await verifier.verify(hs256({"iss": "https://idp.city.gov.cn/realms/grid"}))
    with pytest.raises(ValueError, match="audience"):
        await verifier.verify(rs256(key, "k1", aud="another-client"))


async def test_an_unreachable_jwks_is_503_not_401(http_sink: HttpSink) -> None:
    http_sink.fail_next(503, times=1)
    settings = idp_settings(http_sink)
    verifier = TokenVerifier.from_settings(settings, service="dispatch")
    with pytest.raises(KeysUnavailable):
        await verifier.verify(rs256(rsa_key(), "k1"))

    app = FastAPI()
    app.state.runtime = SimpleNamespace(service="dispatch", settings=settings)

    @app.get("/v1/tasks")
    async def tasks(principal: CurrentPrincipal) -> dict[str, str]:
        return {"sub": principal.sub}

    http_sink.fail_next(503, times=1)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get(
            "/v1/tasks", headers={"Authorization": f"Bearer {rs256(rsa_key(), 'k1')}"}
        )
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"


async def test_after_a_failed_fetch_requests_do_not_each_ask_the_provider_again(
    http_sink: HttpSink,
) -> None:
    http_sink.fail_next(503, times=1)
    now = [1000.0]
    keys = JwksKeys(f"{http_sink.url}/certs", min_refresh=30, monotonic=lambda: now[0])
    for _ in range(3):
        with pytest.raises(KeysUnavailable):
            await keys.key("k1")
    assert len(http_sink.requests) == 1
    key = rsa_key()
    http_sink.reply_next(json={"keys": [jwk(key, "k1")]})
    now[0] += 31
    assert await keys.key("k1") is not None
    assert len(http_sink.requests) == 2
