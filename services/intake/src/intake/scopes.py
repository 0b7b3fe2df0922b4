"""Who may act where: area codes chain their parents' codes, so scope is a prefix test."""

from __future__ import annotations

from gridcase_events.kit.auth import AREA_ROLES, CITYWIDE_ROLES, Principal


def covers(principal: Principal, code: str) -> bool:
    """Whether the principal works in the area `code` or an area containing it
    (a street officer covers its communities; a citywide role without an area
    covers everything)."""
    if principal.role in CITYWIDE_ROLES:
        return principal.area_code is None or code.startswith(principal.area_code)
    if principal.role in AREA_ROLES and principal.area_code:
        return code.startswith(principal.area_code)
    return False


def works_in(principal: Principal, code: str) -> bool:
    """Whether the principal's own area lies in `code` (a grid member's grid lies in
    its community) or covers it."""
    if covers(principal, code):
        return True
    return (
        principal.role in AREA_ROLES
        and principal.area_code is not None
        and principal.area_code.startswith(code)
    )
