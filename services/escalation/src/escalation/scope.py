"""Whose clocks and orders a caller may list: shared by the clocks and supervision
endpoints (a module of its own, so neither domain imports the other's endpoints)."""

from __future__ import annotations

from gridcase_events.kit.auth import CITYWIDE_ROLES, Principal
from gridcase_events.kit.errors import Forbidden


def narrow(
    principal: Principal, area_code: str | None, department_code: str | None
) -> tuple[str | None, str | None]:
    """The caller's scope bounds a filter: one may narrow it, never widen it (403).
    Returns the area prefix and the department to filter by."""
    if principal.role == "department_operator":
        if area_code is not None or department_code not in (None, principal.department_code):
            raise Forbidden("outside your department")
        return None, principal.department_code
    if principal.role in CITYWIDE_ROLES:
        if area_code is None and department_code is None:
            return principal.area_code, None
        return area_code, department_code
    mine = principal.area_code or ""
    if department_code is not None or (area_code is not None and not area_code.startswith(mine)):
        raise Forbidden("outside your area")
    return area_code or mine, None
