"""Who may act where: area codes chain their parents' codes, so scope is a prefix test."""

from __future__ import annotations

from gridcase_events.kit.auth import AREA_ROLES, Principal, scope_of


def covers(principal: Principal, code: str) -> bool:
    """Whether the principal works in the area `code` or an area containing it
    (a street officer covers its communities; the city level covers every district):
    the kit's one rule, ``scope_of``."""
    mine = scope_of(principal)
    if mine.everything:
        return True
    return (
        mine.department is None
        and mine.area_prefix is not None
        and (code.startswith(mine.area_prefix))
    )


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
