"""Bearer-token authentication and scope-based authorisation (DESIGN.md §4 Roles).

Tokens are HS256 JWTs carrying ``sub`` (staff id), ``role``, ``area_code``,
``department_code`` and ``exp``. Area codes chain their parents' codes, so "inside my
area" is a prefix test.

A token whose role needs a scope and carries none is refused at authentication (401),
for every service: an area role without ``area_code``, a department operator without
``department_code``. An empty scope claim is refused for every role: ``""`` is a prefix
of every code, so it would read as "everywhere".
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, get_args

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gridcase_events.payloads import StaffRole

ALL_ROLES: tuple[str, ...] = get_args(StaffRole)
CITYWIDE_ROLES = frozenset({"district_center", "dispatcher", "ops", "admin"})
AREA_ROLES = frozenset({"grid_member", "grid_leader", "station_master", "street_officer"})
DEPARTMENT_ROLES = frozenset({"department_operator"})
SCOPE_CLAIMS = ("area_code", "department_code")
ALGORITHM = "HS256"


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


def mint(
    secret: str,
    *,
    sub: str,
    role: str,
    now: datetime,
    area_code: str | None = None,
    department_code: str | None = None,
    ttl: timedelta = timedelta(hours=12),
) -> str:
    claims: dict[str, Any] = {
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


def decode(token: str, secret: str) -> Principal:
    """Raises ``ValueError`` with a reason a client may read."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "role"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise ValueError("token expired") from exc
    except jwt.InvalidTokenError as exc:
        raise ValueError(f"invalid token: {exc}") from exc
    check_scope(claims)
    try:
        return Principal.model_validate(
            {k: claims.get(k) for k in ("sub", "role", "area_code", "department_code")}
            | {"exp": datetime.fromtimestamp(claims["exp"], UTC)}
        )
    except ValidationError as exc:
        raise ValueError("invalid token claims") from exc


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


def can_see(principal: Principal, *, grid_code: str | None, department_code: str | None) -> bool:
    """Whether the principal's scope covers a case in this grid or department."""
    if principal.role in CITYWIDE_ROLES:
        return principal.area_code is None or (
            grid_code is None or grid_code.startswith(principal.area_code)
        )
    if principal.role == "department_operator":
        return department_code is not None and department_code == principal.department_code
    if principal.role in AREA_ROLES:
        return (
            grid_code is not None
            and principal.area_code is not None
            and grid_code.startswith(principal.area_code)
        )
    return False


_bearer = HTTPBearer(auto_error=False, description="a gridcase staff token (JWT)")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": 'Bearer realm="gridcase"'},
    )


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise _unauthorized("missing bearer token")
    try:
        return decode(credentials.credentials, request.app.state.runtime.settings.jwt_key())
    except ValueError as exc:
        raise _unauthorized(str(exc)) from exc


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
