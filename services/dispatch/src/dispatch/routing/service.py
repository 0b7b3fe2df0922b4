"""Routing: which grid or department a case belongs to, with the reason recorded.

1. A department category goes to its department.
2. Otherwise the grid is located by coordinates (point in polygon over an STRtree of
   every grid), else by the address against the gazetteer: normalised (full-width
   characters, spaces and punctuation, 号楼/幢/栋, leading province/city/district/street
   names), matched exactly, else on its parts (road, number, building: see
   `routing/matching.py`), else — when it has no doorplate number — fuzzily above a
   threshold.
3. A point inside a unit grid goes to that unit grid.
4. Else an address naming one community goes to that community's station.
5. What cannot be placed, or has no known category, goes to triage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import Counter

from dispatch.directory.cache import CategoryRef
from dispatch.directory.models import Category
from dispatch.routing.index import (
    MIN_CONTAINED,
    Gazetteer,
    GridIndex,
    RoutingIndex,
    RoutingIndexCache,
)
from dispatch.routing.matching import Hit
from gridcase_events.addresses import normalize_address
from gridcase_events.areas import district_of
from gridcase_events.payloads import GeoPoint, RouteMethod, RouteTarget

# The index is in dispatch/routing/index.py; its names stay importable
# from here, where routing's callers and the routing benchmark have always found them.
__all__ = [
    "MIN_CONTAINED",
    "ROUTE_REASON_CODES",
    "ROUTING_OUTCOMES",
    "Gazetteer",
    "GridIndex",
    "RouteDecision",
    "RoutingIndex",
    "RoutingIndexCache",
    "decide",
    "district_for",
    "normalize_address",
]

ROUTING_OUTCOMES = Counter(
    "gridcase_routing_outcomes_total",
    "Routing decisions by target (grid, community, department, triage) and method",
    ["target", "method"],
)


@dataclass(frozen=True)
class RouteDecision:
    target: RouteTarget
    method: RouteMethod
    reason: str
    grid_code: str | None = None
    community_code: str | None = None
    department_code: str | None = None
    # The reason as a code and its parameters (the text above stays for older readers):
    # the console words each code in the reader's language (ROUTE_REASON_CODES).
    reason_code: str = "unplaceable"
    reason_params: dict[str, str] = field(default_factory=dict)


ROUTE_REASON_CODES = (
    "no_category",
    "unknown_category",
    "category_department",
    "point_in_grid",
    "address_in_gazetteer",
    "address_matches_gazetteer",
    "address_names_community",
    "point_in_no_grid",
    "no_location",
)


def decide(
    *,
    index: RoutingIndex,
    category: Category | CategoryRef | None,
    category_hint: str | None,
    location: GeoPoint | None,
    address: str | None,
) -> RouteDecision:
    """Where a case goes, with the reason recorded. The steps are tried in the order
    of the module's docstring; they stay in one function (at about 60 lines) so that
    the order can be read top to bottom."""
    if category is None:
        why = f"unknown category {category_hint!r}" if category_hint else "no category given"
        return RouteDecision(
            target="triage",
            method="unplaceable",
            reason=f"{why}: a dispatcher decides",
            reason_code="unknown_category" if category_hint else "no_category",
            reason_params={"category_code": category_hint} if category_hint else {},
        )
    if category.handler == "department":
        return RouteDecision(
            target="department",
            method="category_department",
            department_code=category.department_code,
            reason=f"category {category.code} is handled by department {category.department_code}",
            reason_code="category_department",
            reason_params={
                "category_code": category.code,
                "department_code": category.department_code or "",
            },
        )
    if location is not None:
        found = index.grids.locate(location.lat, location.lon)
        if found is not None:
            code, kind = found
            return RouteDecision(
                target="grid",
                method="point_in_polygon",
                grid_code=code,
                reason=f"point ({location.lat:.6f}, {location.lon:.6f}) lies in {kind} grid {code}",
                reason_code="point_in_grid",
                reason_params={
                    "lat": f"{location.lat:.6f}",
                    "lon": f"{location.lon:.6f}",
                    "grid_kind": kind,
                    "grid_code": code,
                },
            )
    missed = ""
    if address:
        match = index.gazetteer.match(address)
        if isinstance(match, Hit):
            how = (
                "is in the gazetteer"
                if match.score == 1.0
                else f"matches gazetteer entry {match.key!r}: {match.why}"
            )
            return RouteDecision(
                target="grid",
                method="gazetteer",
                grid_code=match.grid,
                reason=f"address {address!r} {how}, grid {match.grid}",
                reason_code=(
                    "address_in_gazetteer" if match.score == 1.0 else "address_matches_gazetteer"
                ),
                reason_params={"address": address, "entry": match.key, "grid_code": match.grid},
            )
        missed = f" ({match.why})"
        community = index.community_named_in(address)
        if community is not None:
            code, name = community
            return RouteDecision(
                target="community",
                method="community_name",
                community_code=code,
                reason=f"address {address!r} names community {name} ({code}): its station dispatches",
                reason_code="address_names_community",
                reason_params={
                    "address": address,
                    "community_code": code,
                    "community_name": name,
                },
            )
    where = "the point lies in no grid" if location is not None else "no coordinates"
    return RouteDecision(
        target="triage",
        method="unplaceable",
        reason=f"{where} and the address is not in the gazetteer{missed}: a dispatcher decides",
        reason_code="point_in_no_grid" if location is not None else "no_location",
        reason_params={"address": address} if address else {},
    )


def district_for(
    *,
    index: RoutingIndex,
    decision: RouteDecision,
    location: GeoPoint | None,
    address: str | None,
    reported_in: str,
) -> str:
    """The district (tenant) a case falls in (docs/adr/0005-districts-side-by-side.md):
    the district of the area routing placed it in; else of the grid its point or its
    address lies in (a department's case is still somewhere); else the district the
    reporting service said (the envelope's tenant)."""
    placed = district_of(decision.grid_code or decision.community_code)
    if placed is not None:
        return placed
    if location is not None:
        found = index.grids.locate(location.lat, location.lon)
        if found is not None and (located := district_of(found[0])) is not None:
            return located
    if address:
        match = index.gazetteer.match(address)
        if isinstance(match, Hit) and (named := district_of(match.grid)) is not None:
            return named
    return reported_in
