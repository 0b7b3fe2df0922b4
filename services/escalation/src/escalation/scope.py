"""Whose clocks and orders a caller may list: shared by the clocks and supervision
endpoints (a module of its own, so neither domain imports the other's endpoints)."""

from __future__ import annotations

from dataclasses import dataclass

from gridcase_events.kit.auth import Principal, scope_of
from gridcase_events.kit.errors import Forbidden


@dataclass(frozen=True)
class Narrowed:
    """The filter a list runs with: an area prefix, a department, and the district wall
    (None: every district, for the city level)."""

    area_prefix: str | None
    department_code: str | None
    district: str | None


def narrow(principal: Principal, area_code: str | None, department_code: str | None) -> Narrowed:
    """The caller's scope (the kit's one rule, ``scope_of``) bounds a filter: one may
    narrow it, never widen it (403) — nor step over the district wall."""
    mine = scope_of(principal)
    if mine.everything:
        return Narrowed(area_code, department_code, None)
    if mine.department is not None:
        if area_code is not None or department_code not in (None, mine.department):
            raise Forbidden("outside your department")
        return Narrowed(None, mine.department, mine.district)
    if mine.area_prefix is None:
        raise Forbidden("your token names no area")
    if area_code is not None and not area_code.startswith(mine.area_prefix):
        raise Forbidden("outside your area")
    if mine.without_area:  # the district's desks: any unit of their district
        if area_code is None and department_code is None:
            # The whole district: its departments' cases too, not only its areas'.
            whole = mine.area_prefix == mine.district
            return Narrowed(None if whole else mine.area_prefix, None, mine.district)
        return Narrowed(area_code, department_code, mine.district)
    if department_code is not None:
        raise Forbidden("outside your area")
    return Narrowed(area_code or mine.area_prefix, None, mine.district)
