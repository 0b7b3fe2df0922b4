"""Whose clocks and orders a caller may list: shared by the clocks and supervision
endpoints (a module of its own, so neither domain imports the other's endpoints)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from gridcase_events.kit.auth import Principal, scope_of
from gridcase_events.kit.errors import Forbidden

District = Annotated[
    str | None,
    Query(
        pattern=r"^\d{6}$",
        description="a district's own (the city level may ask for any; others get theirs)",
    ),
]


def walled_district(principal: Principal) -> str | None:
    """The district the caller is walled in; None at the city level."""
    mine = scope_of(principal)
    return None if mine.everything else mine.district


def visible_district(principal: Principal, asked: str | None) -> str | None:
    """The district whose policies and calendar the caller reads: the one asked (the
    city level), else their own (403 when another is asked)."""
    walled = walled_district(principal)
    if walled is None:
        return asked
    if asked is not None and asked != walled:
        raise Forbidden(f"district {asked} is not yours")
    return walled


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
