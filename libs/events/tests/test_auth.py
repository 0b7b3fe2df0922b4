"""Bearer tokens (HS256 JWTs) and scope-based authorisation (docs/adr/0004-hs256-to-rs256.md)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import jwt
import pytest
from fastapi import FastAPI

from gridcase_events.kit.auth import (
    ALL_ROLES,
    CurrentPrincipal,
    Principal,
    can_see,
    decode,
    mint,
)
from gridcase_events.kit.settings import PlatformSettings

SECRET = "a-test-jwt-secret-that-is-long-enough-0123456789"
# jwt.decode checks `exp` against the system clock, which cannot be injected: tokens
# that must be valid are issued in the past and live for a century.
ISSUED = datetime(2020, 1, 1, tzinfo=UTC)
CENTURY = timedelta(days=36500)

IN_GRID = "510302001001001"
SIBLING_GRID = "510302001001002"  # same community
OTHER_COMMUNITY_GRID = "510302001002001"  # same street, other community
OUT_GRID = "510302002001001"  # other street, same district
OTHER_DISTRICT_GRID = "510303001001001"


def claims_token(claims: dict[str, object], secret: str = SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def valid_exp() -> int:
    return int((ISSUED + CENTURY).timestamp())


def test_minted_token_decodes_to_the_same_principal() -> None:
    token = mint(
        SECRET,
        sub="staff-0042",
        role="grid_member",
        now=ISSUED,
        area_code=IN_GRID,
        ttl=CENTURY,
    )
    assert decode(token, SECRET) == Principal(
        sub="staff-0042",
        role="grid_member",
        area_code=IN_GRID,
        department_code=None,
        exp=ISSUED + CENTURY,  # whole seconds, as the claim carries it
    )


def test_minted_department_token_carries_the_department() -> None:
    token = mint(
        SECRET,
        sub="op-7",
        role="department_operator",
        now=ISSUED,
        department_code="water",
        ttl=CENTURY,
    )
    principal = decode(token, SECRET)
    assert principal.role == "department_operator"
    assert principal.department_code == "water"
    assert principal.area_code is None


def test_minted_token_expires_after_its_ttl() -> None:
    token = mint(SECRET, sub="s1", role="admin", now=ISSUED, ttl=timedelta(hours=12))
    claims = jwt.decode(
        token, SECRET, algorithms=["HS256"], options={"verify_exp": False, "verify_aud": False}
    )
    assert claims["exp"] - claims["iat"] == 12 * 3600
    assert claims["iat"] == int(ISSUED.timestamp())


def test_expired_token_is_rejected_as_expired() -> None:
    token = mint(SECRET, sub="s1", role="admin", now=datetime(2000, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="expired"):
        decode(token, SECRET)


def test_token_signed_with_another_secret_is_rejected() -> None:
    token = mint(
        "another-secret-another-secret-another", sub="s1", role="admin", now=ISSUED, ttl=CENTURY
    )
    with pytest.raises(ValueError, match="invalid token"):
        decode(token, SECRET)


def test_token_without_role_claim_is_rejected() -> None:
    token = claims_token({"sub": "s1", "exp": valid_exp(), "area_code": IN_GRID})
    with pytest.raises(ValueError, match="role"):
        decode(token, SECRET)


def test_token_without_exp_claim_is_rejected() -> None:
    token = claims_token({"sub": "s1", "role": "admin"})
    with pytest.raises(ValueError, match="exp"):
        decode(token, SECRET)


def test_token_with_unknown_role_is_rejected() -> None:
    token = claims_token({"sub": "s1", "role": "mayor", "exp": valid_exp()})
    with pytest.raises(ValueError, match="invalid token claims"):
        decode(token, SECRET)


def test_token_with_none_algorithm_is_rejected() -> None:
    token = jwt.encode({"sub": "s1", "role": "admin", "exp": valid_exp()}, None, algorithm="none")
    with pytest.raises(ValueError, match="invalid token"):
        decode(token, SECRET)


# ----------------------------------------------------------------------------- can_see

WATER_CASE = (IN_GRID, "water")  # in grid 510302001001001, handled by water
URBAN_CASE = (OUT_GRID, "urban")  # other street, urban management
TRIAGE_CASE = (None, None)  # not placed yet

# role -> (area_code, department_code) of the principal
SCOPES: dict[str, tuple[str | None, str | None]] = {
    "grid_member": (IN_GRID, None),
    "grid_leader": (IN_GRID, None),
    "station_master": ("510302001001", None),
    "street_officer": ("510302001", None),
    "district_center": ("510302", None),
    "dispatcher": ("510302", None),
    "ops": ("510302", None),
    "admin": ("510302", None),
    "department_operator": (None, "water"),
    "city_center": (None, None),
}
HOME_DISTRICT = "510302"

AREA_ONLY = {"grid_member", "grid_leader", "station_master", "street_officer"}
DISTRICT_WIDE = {"district_center", "dispatcher", "ops", "admin"}

# (role, grid_code, department_code, expected)
TABLE: list[tuple[str, str | None, str | None, bool]] = []
for _role in ("grid_member", "grid_leader"):
    TABLE += [
        (_role, *WATER_CASE, True),
        (_role, *URBAN_CASE, False),
        (_role, SIBLING_GRID, None, False),
        (_role, IN_GRID, None, True),
        (_role, *TRIAGE_CASE, False),
        (_role, None, "water", False),
    ]
TABLE += [
    ("station_master", *WATER_CASE, True),
    ("station_master", SIBLING_GRID, None, True),
    ("station_master", OTHER_COMMUNITY_GRID, None, False),
    ("station_master", *URBAN_CASE, False),
    ("station_master", *TRIAGE_CASE, False),
    ("street_officer", *WATER_CASE, True),
    ("street_officer", SIBLING_GRID, None, True),
    ("street_officer", OTHER_COMMUNITY_GRID, None, True),
    ("street_officer", *URBAN_CASE, False),
    ("street_officer", *TRIAGE_CASE, False),
]
for _role in sorted(DISTRICT_WIDE):
    TABLE += [
        (_role, *WATER_CASE, True),
        (_role, *URBAN_CASE, True),
        (_role, *TRIAGE_CASE, True),
        (_role, None, "urban", True),
        (_role, OTHER_DISTRICT_GRID, None, False),
    ]
TABLE += [
    ("city_center", *WATER_CASE, True),
    ("city_center", *URBAN_CASE, True),
    ("city_center", *TRIAGE_CASE, True),
    ("city_center", None, "urban", True),
    ("city_center", OTHER_DISTRICT_GRID, None, True),
    ("department_operator", *WATER_CASE, True),
    ("department_operator", None, "water", True),
    ("department_operator", OUT_GRID, "water", True),
    ("department_operator", *URBAN_CASE, False),
    ("department_operator", IN_GRID, None, False),
    ("department_operator", *TRIAGE_CASE, False),
]


def principal_for(role: str) -> Principal:
    area_code, department_code = SCOPES[role]
    return Principal(
        sub=f"{role}-1", role=role, area_code=area_code, department_code=department_code
    )


def test_can_see_table_covers_every_role() -> None:
    assert {row[0] for row in TABLE} == set(ALL_ROLES) == set(SCOPES)


@pytest.mark.parametrize(
    ("role", "grid_code", "department_code", "expected"),
    TABLE,
    ids=[f"{r}-{g}-{d}-{'sees' if e else 'blind'}" for r, g, d, e in TABLE],
)
def test_can_see_follows_the_scope_of_the_role(
    role: str, grid_code: str | None, department_code: str | None, expected: bool
) -> None:
    """Each case is in the home district (a case without a grid says so itself, as the
    services pass its stored district), unless its grid is another district's."""
    principal = principal_for(role)
    district = None if grid_code else HOME_DISTRICT
    assert (
        can_see(
            principal, grid_code=grid_code, department_code=department_code, district_code=district
        )
        is expected
    )


@pytest.mark.parametrize("role", sorted(DISTRICT_WIDE))
@pytest.mark.parametrize("district", [None, "510303"])
def test_a_district_role_does_not_see_a_case_of_another_or_no_known_district(
    role: str, district: str | None
) -> None:
    principal = principal_for(role)
    assert can_see(principal, grid_code=None, department_code=None, district_code=district) is False
    assert (
        can_see(principal, grid_code=None, department_code="urban", district_code=district) is False
    )
    city = principal_for("city_center")
    assert can_see(city, grid_code=None, department_code=None, district_code=district) is True


@pytest.mark.parametrize("role", sorted(AREA_ONLY))
def test_area_role_without_area_code_sees_nothing(role: str) -> None:
    principal = Principal(sub="s1", role=role)
    assert can_see(principal, grid_code=IN_GRID, department_code="water") is False


def test_department_operator_without_department_sees_no_department_less_case() -> None:
    principal = Principal(sub="s1", role="department_operator")
    assert can_see(principal, grid_code=IN_GRID, department_code=None) is False


# ------------------------------------------------------------------- empty scope claims

NEEDS_SCOPE = [(role, "area_code") for role in sorted(AREA_ONLY)] + [
    ("department_operator", "department_code")
]


@pytest.mark.parametrize(("role", "claim"), NEEDS_SCOPE)
@pytest.mark.parametrize("value", ["", "   ", None], ids=["empty", "blank", "missing"])
def test_role_that_needs_a_scope_without_one_is_rejected(
    role: str, claim: str, value: str | None
) -> None:
    claims: dict[str, object] = {"sub": "s1", "role": role, "exp": valid_exp()}
    if value is not None:
        claims[claim] = value
    with pytest.raises(ValueError, match=claim):
        decode(claims_token(claims), SECRET)


@pytest.mark.parametrize("role", sorted(DISTRICT_WIDE))
def test_citywide_role_with_an_empty_area_code_is_rejected(role: str) -> None:
    token = claims_token({"sub": "s1", "role": role, "area_code": "", "exp": valid_exp()})
    with pytest.raises(ValueError, match="area_code is empty"):
        decode(token, SECRET)


@pytest.mark.parametrize("role", sorted(DISTRICT_WIDE))
def test_citywide_role_without_an_area_code_is_accepted(role: str) -> None:
    token = claims_token({"sub": "s1", "role": role, "exp": valid_exp()})
    assert decode(token, SECRET).area_code is None


async def test_endpoint_answers_401_to_an_area_role_with_an_empty_area_code() -> None:
    app = FastAPI()
    app.state.runtime = SimpleNamespace(
        service="dispatch", settings=PlatformSettings(env="development", jwt_secret=SECRET)
    )

    @app.get("/v1/cases")
    async def cases(principal: CurrentPrincipal) -> dict[str, str | None]:
        return {"area_code": principal.area_code}

    token = claims_token({"sub": "s1", "role": "grid_leader", "area_code": "", "exp": valid_exp()})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert answer.json() == {"detail": "invalid token claims: area_code is empty"}


async def test_a_department_operator_without_a_district_is_of_the_deployments_own() -> None:
    app = FastAPI()
    app.state.runtime = SimpleNamespace(
        service="dispatch",
        settings=PlatformSettings(env="development", jwt_secret=SECRET, tenant="510303"),
    )

    @app.get("/v1/cases")
    async def cases(principal: CurrentPrincipal) -> dict[str, bool]:
        return {
            "home": can_see(principal, grid_code=OTHER_DISTRICT_GRID, department_code="water"),
            "elsewhere": can_see(principal, grid_code=IN_GRID, department_code="water"),
        }

    operator = {"sub": "op", "role": "department_operator", "department_code": "water"}
    placed = operator | {"area_code": "510302"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answers = [
            (
                await client.get(
                    "/v1/cases",
                    headers={"Authorization": f"Bearer {claims_token(c | {'exp': valid_exp()})}"},
                )
            ).json()
            for c in (operator, placed)
        ]

    assert answers == [{"home": True, "elsewhere": False}, {"home": False, "elsewhere": True}]
