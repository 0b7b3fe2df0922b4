"""Bearer-token authentication and scope-based authorisation (DESIGN.md §4 Roles).

Tokens are HS256 JWTs carrying ``sub`` (staff id), ``role``, ``area_code``,
``department_code`` and ``exp``. Area codes chain their parents' codes, so "inside my
area" is a prefix test.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
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
    try:
        return Principal.model_validate(
            {k: claims.get(k) for k in ("sub", "role", "area_code", "department_code")}
            | {"exp": datetime.fromtimestamp(claims["exp"], UTC)}
        )
    except ValidationError as exc:
        raise ValueError("invalid token claims") from exc


@dataclass(frozen=True)
class Scope:
    """What a principal's scope covers, as data: one rule that both a single case
    (:func:`can_see`) and a list (a query built from these fields, e.g. dispatch's case
    search) follow, so that a list never shows what the case itself would refuse.

    ``everything``: every case. Otherwise a case is covered when its department is
    ``department`` (if set), else when its area code starts with ``area_prefix``; a
    case with no area is covered only when ``without_area`` is true. ``area_prefix``
    and ``department`` both unset (and not ``everything``) covers nothing."""

    everything: bool = False
    area_prefix: str | None = None
    without_area: bool = False
    department: str | None = None

    def covers(self, *, grid_code: str | None, department_code: str | None) -> bool:
        if self.everything:
            return True
        if self.department is not None:
            return department_code == self.department
        if self.area_prefix is None:
            return False
        if grid_code is None:
            return self.without_area
        return grid_code.startswith(self.area_prefix)


NOTHING = Scope()


def scope_of(principal: Principal) -> Scope:
    """The principal's scope by role: district-wide roles see their district (and the
    cases not placed in an area yet), department operators their department's cases,
    area roles the cases inside their area."""
    if principal.role in CITYWIDE_ROLES:
        if principal.area_code is None:
            return Scope(everything=True)
        return Scope(area_prefix=principal.area_code, without_area=True)
    if principal.role == "department_operator":
        return Scope(department=principal.department_code) if principal.department_code else NOTHING
    if principal.role in AREA_ROLES and principal.area_code is not None:
        return Scope(area_prefix=principal.area_code)
    return NOTHING


def can_see(principal: Principal, *, grid_code: str | None, department_code: str | None) -> bool:
    """Whether the principal's scope covers a case in this grid or department."""
    return scope_of(principal).covers(grid_code=grid_code, department_code=department_code)


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
