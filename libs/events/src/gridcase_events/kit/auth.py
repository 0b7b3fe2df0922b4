"""Bearer-token authentication and scope-based authorisation (docs/adr/0004-hs256-to-rs256.md).

Tokens are JWTs carrying ``iss``, ``aud``, ``sub`` (staff id), ``role``, ``area_code``,
``department_code`` and ``exp``: HS256 under ``GRIDCASE_JWT_SECRET`` (development, the
CLI), or RS256 from the city's identity provider verified against its JWKS
(``GRIDCASE_JWT_JWKS_URL``), with the role and scope claims' names mapped by settings.
Production requires the issuer and this service's audience; development checks them
when a token carries them. Area codes chain their parents' codes, so "inside my area" is
a prefix test.

A token whose role needs a scope and carries none is refused at authentication (401),
for every service: an area role without ``area_code``, a department operator without
``department_code``. An empty scope claim is refused for every role: ``""`` is a prefix
of every code, so it would read as "everywhere".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, get_args

import httpx
import jwt
import structlog
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gridcase_events.areas import district_of
from gridcase_events.kit.settings import PlatformSettings
from gridcase_events.payloads import StaffRole

log = structlog.get_logger("gridcase.auth")

ALL_ROLES: tuple[str, ...] = get_args(StaffRole)
CITY_ROLES = frozenset({"city_center"})
CITYWIDE_ROLES = frozenset({"district_center", "dispatcher", "ops", "admin"})
DEPLOYMENT_ROLES = frozenset({"ops", "admin"})  # without an area: the whole deployment
AREA_ROLES = frozenset({"grid_member", "grid_leader", "station_master", "street_officer"})
DEPARTMENT_ROLES = frozenset({"department_operator"})
SCOPE_CLAIMS = ("area_code", "department_code")
ALGORITHM = "HS256"
RS_ALGORITHM = "RS256"


class Principal(BaseModel):
    """Who is calling, as the token says."""

    model_config = ConfigDict(frozen=True)

    sub: str = Field(min_length=1)
    role: StaffRole
    area_code: str | None = None
    department_code: str | None = None
    exp: datetime | None = Field(
        default=None, description="when the token expires (long-lived responses end then)"
    )


DEFAULT_ISSUER = "gridcase"
DEFAULT_AUDIENCES = tuple(
    f"gridcase-{service}" for service in ("intake", "dispatch", "escalation", "notify")
)


def mint(
    secret: str,
    *,
    sub: str,
    role: str,
    now: datetime,
    area_code: str | None = None,
    department_code: str | None = None,
    ttl: timedelta = timedelta(hours=12),
    issuer: str = DEFAULT_ISSUER,
    audience: str | Sequence[str] = DEFAULT_AUDIENCES,
) -> str:
    """An HS256 staff token (development and the CLI); by default for every service."""
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience if isinstance(audience, str) else list(audience),
        "sub": sub,
        "role": role,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    if area_code:
        claims["area_code"] = area_code
    if department_code:
        claims["department_code"] = department_code
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


@dataclass(frozen=True)
class ClaimNames:
    """Where the identity provider puts gridcase's claims (a dotted path reaches into
    an object: ``realm_access.roles``; a list of roles yields its first gridcase role)."""

    role: str = "role"
    area_code: str = "area_code"
    department_code: str = "department_code"


def _claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _gridcase_claims(claims: dict[str, Any], names: ClaimNames) -> dict[str, Any]:
    role = _claim(claims, names.role)
    if isinstance(role, list):
        role = next((r for r in role if r in ALL_ROLES), None)
    return {
        "sub": claims.get("sub"),
        "role": role,
        "area_code": _claim(claims, names.area_code),
        "department_code": _claim(claims, names.department_code),
        "exp": claims.get("exp"),
    }


def _check_issuer_and_audience(
    claims: dict[str, Any], *, issuer: str | None, audiences: Sequence[str] | None, strict: bool
) -> None:
    """Strict (production): both must be present and match. Otherwise they are checked
    when the token carries them."""
    if issuer is not None and (strict or "iss" in claims) and claims.get("iss") != issuer:
        raise ValueError("invalid token: wrong or missing issuer")
    if audiences is not None and (strict or "aud" in claims):
        aud = claims.get("aud")
        have = {aud} if isinstance(aud, str) else set(aud) if isinstance(aud, list) else set()
        if not have & set(audiences):
            raise ValueError("invalid token: not issued for this service (audience)")


def check_scope(claims: dict[str, Any]) -> None:
    """Raises ``ValueError`` when the role needs a scope claim the token lacks, or when
    a scope claim is present but empty."""
    for name in SCOPE_CLAIMS:
        value = claims.get(name)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError(f"invalid token claims: {name} is empty")
    role = claims.get("role")
    if role in AREA_ROLES and not claims.get("area_code"):
        raise ValueError(f"invalid token claims: role {role} needs an area_code")
    if role in DEPARTMENT_ROLES and not claims.get("department_code"):
        raise ValueError(f"invalid token claims: role {role} needs a department_code")


def principal_from_claims(
    claims: dict[str, Any],
    *,
    names: ClaimNames = ClaimNames(),
    issuer: str | None = None,
    audiences: Sequence[str] | None = None,
    strict: bool = False,
) -> Principal:
    """The principal of verified claims; ``ValueError`` with a reason a client may read."""
    _check_issuer_and_audience(claims, issuer=issuer, audiences=audiences, strict=strict)
    mapped = _gridcase_claims(claims, names)
    for required in ("sub", "role", "exp"):
        if mapped[required] is None:
            raise ValueError(f'invalid token: Token is missing the "{required}" claim')
    check_scope(mapped)
    try:
        return Principal.model_validate(
            mapped | {"exp": datetime.fromtimestamp(mapped["exp"], UTC)}
        )
    except (ValidationError, TypeError, ValueError, OverflowError) as exc:
        raise ValueError("invalid token claims") from exc


def _verify_signature(token: str, key: Any, algorithm: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            # Issuer and audience are checked by principal_from_claims.
            options={"require": ["exp", "sub"], "verify_aud": False, "verify_iss": False},
        )
    except jwt.ExpiredSignatureError as exc:
        raise ValueError("token expired") from exc
    except jwt.InvalidTokenError as exc:
        raise ValueError(f"invalid token: {exc}") from exc
    return claims


def decode(
    token: str,
    secret: str,
    *,
    issuer: str | None = None,
    audiences: Sequence[str] | None = None,
    strict: bool = False,
    names: ClaimNames = ClaimNames(),
) -> Principal:
    """An HS256 token's principal. Raises ``ValueError`` with a reason a client may read."""
    claims = _verify_signature(token, secret, ALGORITHM)
    return principal_from_claims(
        claims, names=names, issuer=issuer, audiences=audiences, strict=strict
    )


class KeysUnavailable(Exception):
    """The identity provider's JWKS cannot be read, and no keys are cached."""


class JwksKeys:
    """The identity provider's signing keys, fetched from its JWKS URL and cached for
    `max_age` seconds; a token signed by a key id not in the cache fetches them again
    (key rotation), at most every `min_refresh` seconds (a flood of made-up key ids does
    not become a flood of requests to the provider)."""

    def __init__(
        self,
        url: str,
        *,
        max_age: float = 3600.0,
        min_refresh: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
        timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.max_age = max_age
        self.min_refresh = min_refresh
        self._monotonic = monotonic
        self._timeout = timeout
        self._keys: dict[str | None, Any] = {}
        self._fetched_at: float | None = None
        # After a failed fetch, requests do not each wait for the provider again.
        self._retry_at = float("-inf")
        self._lock = asyncio.Lock()

    async def _refresh(self) -> None:
        try:
            async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False) as client:
                answer = await client.get(self.url, headers={"Accept": "application/json"})
                answer.raise_for_status()
                document = answer.json()
            keys: dict[str | None, Any] = {}
            for jwk in document.get("keys", []):
                if jwk.get("use", "sig") != "sig" or jwk.get("kty") != "RSA":
                    continue
                keys[jwk.get("kid")] = jwt.PyJWK.from_dict(jwk, algorithm=RS_ALGORITHM).key
        except (httpx.HTTPError, ValueError, AttributeError, jwt.PyJWKError) as exc:
            log.warning("JWKS not read", url=self.url, error=str(exc)[:200])
            self._retry_at = self._monotonic() + max(self.min_refresh, 5.0)
            if not self._keys:
                raise KeysUnavailable("the identity provider's keys cannot be read") from exc
            return
        self._keys = keys
        self._fetched_at = self._monotonic()

    async def key(self, kid: str | None) -> Any:
        async with self._lock:
            now = self._monotonic()
            stale = self._fetched_at is None or now - self._fetched_at >= self.max_age
            unknown = kid not in self._keys and (
                self._fetched_at is None or now - self._fetched_at >= self.min_refresh
            )
            if (stale or unknown) and now >= self._retry_at:
                await self._refresh()
            elif not self._keys:
                raise KeysUnavailable("the identity provider's keys cannot be read")
            if kid in self._keys:
                return self._keys[kid]
            if kid is None and len(self._keys) == 1:
                return next(iter(self._keys.values()))
        raise ValueError("invalid token: signed by an unknown key")


@dataclass
class TokenVerifier:
    """How one service verifies staff tokens: HS256 under a shared secret, or RS256
    against the identity provider's JWKS; issuer and audience checked (strictly in
    production)."""

    issuer: str
    audiences: list[str]
    strict: bool
    names: ClaimNames = field(default_factory=ClaimNames)
    secret: str | None = None
    jwks: JwksKeys | None = None
    # The deployment's own district (GRIDCASE_TENANT): where a department operator whose
    # token names no district works (docs/adr/0005-districts-side-by-side.md).
    home_district: str | None = None

    @classmethod
    def from_settings(cls, settings: PlatformSettings, *, service: str) -> TokenVerifier:
        return cls(
            issuer=settings.jwt_issuer,
            audiences=settings.jwt_audiences(service),
            strict=settings.env == "production",
            names=ClaimNames(
                role=settings.jwt_role_claim,
                area_code=settings.jwt_area_claim,
                department_code=settings.jwt_department_claim,
            ),
            secret=None if settings.jwt_jwks_url else settings.jwt_key(),
            jwks=JwksKeys(
                settings.jwt_jwks_url,
                max_age=settings.jwt_jwks_cache_seconds,
                min_refresh=settings.jwt_jwks_min_refresh_seconds,
            )
            if settings.jwt_jwks_url
            else None,
            home_district=settings.tenant,
        )

    async def verify(self, token: str) -> Principal:
        """Raises ``ValueError`` (401) or :class:`KeysUnavailable` (503)."""
        if self.jwks is not None:
            try:
                header = jwt.get_unverified_header(token)
            except jwt.InvalidTokenError as exc:
                raise ValueError(f"invalid token: {exc}") from exc
            if header.get("alg") != RS_ALGORITHM:
                raise ValueError(f"invalid token: the algorithm must be {RS_ALGORITHM}")
            kid = header.get("kid")
            key = await self.jwks.key(kid if isinstance(kid, str) else None)
            claims = _verify_signature(token, key, RS_ALGORITHM)
        else:
            assert self.secret is not None
            claims = _verify_signature(token, self.secret, ALGORITHM)
        principal = principal_from_claims(
            claims,
            names=self.names,
            issuer=self.issuer,
            audiences=self.audiences,
            strict=self.strict,
        )
        return in_home_district(principal, self.home_district)


def in_home_district(principal: Principal, home_district: str | None) -> Principal:
    """A department operator whose token names no district works in the deployment's
    own district (`home_district`): their department's cases there, never another
    district's. Every other principal as it is."""
    if principal.role in DEPARTMENT_ROLES and principal.area_code is None and home_district:
        return principal.model_copy(update={"area_code": home_district})
    return principal


@dataclass(frozen=True)
class Scope:
    """What a principal's scope covers, as data: one rule that both a single case
    (:func:`can_see`) and a list (a query built from these fields, e.g. dispatch's case
    search) follow, so that a list never shows what the case itself would refuse.

    ``everything``: every case of every district (the city level). Otherwise
    ``district``, when set, is a wall first: a case of another district is never
    covered (docs/adr/0005-districts-side-by-side.md). Then a case is covered when its
    department is ``department`` (if set), else when its area code starts with
    ``area_prefix``; a case with no area is covered only when ``without_area`` is true.
    ``area_prefix`` and ``department`` both unset (and not ``everything``) covers
    nothing."""

    everything: bool = False
    area_prefix: str | None = None
    without_area: bool = False
    department: str | None = None
    district: str | None = None

    def covers(
        self,
        *,
        grid_code: str | None,
        department_code: str | None,
        district_code: str | None = None,
    ) -> bool:
        """``district_code`` is the case's district; without it, its area's district.
        A case whose district is not known is outside every district's wall."""
        if self.everything:
            return True
        if self.district is not None and (district_code or district_of(grid_code)) != self.district:
            return False
        if self.department is not None:
            return department_code == self.department
        if self.area_prefix is None:
            return False
        if grid_code is None:
            return self.without_area
        return grid_code.startswith(self.area_prefix)


NOTHING = Scope()
CITY = Scope(everything=True)


def scope_of(principal: Principal) -> Scope:
    """The principal's scope by role — the one rule every service follows.

    - ``city_center``: the city level, every district (still an authenticated role).
    - district-wide roles (district centre, dispatcher, ops, admin) with an area: that
      area, and the cases of its district not placed in an area yet; without an area,
      ops and admin (of the whole deployment) everything, a district's desk nothing.
    - department operators: their department's cases, inside the district their token
      names (``area_code``); a token naming none is read as of the deployment's own
      district (:func:`in_home_district`, when verified).
    - area roles: the cases inside their area (a prefix: their district's wall too).
    """
    if principal.role in CITY_ROLES:
        return CITY
    district = district_of(principal.area_code)
    if principal.role in CITYWIDE_ROLES:
        if principal.area_code is not None:
            return Scope(area_prefix=principal.area_code, without_area=True, district=district)
        # Ops and admin of the whole deployment; a district's desk names its district.
        return CITY if principal.role in DEPLOYMENT_ROLES else NOTHING
    if principal.role == "department_operator":
        if not principal.department_code:
            return NOTHING
        return Scope(department=principal.department_code, district=district)
    if principal.role in AREA_ROLES and principal.area_code is not None:
        return Scope(area_prefix=principal.area_code, district=district)
    return NOTHING


def district_scope(principal: Principal) -> str | None:
    """The one district a principal's token is walled in; None when it has none (the
    city level — see ``scope_of(...).everything`` — or a scope of nothing at all)."""
    return scope_of(principal).district


def can_see(
    principal: Principal,
    *,
    grid_code: str | None,
    department_code: str | None,
    district_code: str | None = None,
) -> bool:
    """Whether the principal's scope covers a case in this grid or department (and
    district, when the caller knows it apart from the grid)."""
    return scope_of(principal).covers(
        grid_code=grid_code, department_code=department_code, district_code=district_code
    )


_bearer = HTTPBearer(auto_error=False, description="a gridcase staff token (JWT)")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": 'Bearer realm="gridcase"'},
    )


def token_verifier(request: Request) -> TokenVerifier:
    """The app's verifier, made from its runtime's settings on first use (its JWKS
    cache lives as long as the app)."""
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        runtime = request.app.state.runtime
        verifier = TokenVerifier.from_settings(runtime.settings, service=runtime.service)
        request.app.state.token_verifier = verifier
    return verifier


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise _unauthorized("missing bearer token")
    try:
        return await token_verifier(request).verify(credentials.credentials)
    except ValueError as exc:
        raise _unauthorized(str(exc)) from exc
    except KeysUnavailable as exc:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="tokens cannot be verified now; retry later",
            headers={"Retry-After": "5"},
        ) from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that lets only the given roles through (403 otherwise)."""
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=f"role {principal.role} may not do this",
            )
        return principal

    return dependency
