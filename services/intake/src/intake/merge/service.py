"""Duplicate merge (合并重复工单): a new report of the same category, near an open case
or at the same address within a window, is folded into that case instead of being
dispatched again. The rules live here; the search for open cases and the lock are the
cases domain's (``intake.cases.service.find_duplicate``), which owns their table."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import addresses
from intake.catalogue import service as catalogue_service

EARTH_RADIUS_M = 6_371_008.8  # the mean Earth radius (IUGG)
METRES_PER_DEGREE = 111_320.0  # of latitude (and of longitude at the equator)

_SPACES = re.compile(r"\s+")
# The widths of cases.category_norm and cases.address_norm: NFKC can lengthen a text
# ("ﷺ" is 18 letters once folded), and a key only needs to be long enough to tell apart.
CATEGORY_NORM_MAX = 100
ADDRESS_NORM_MAX = 300


def normalize_address(address: str | None) -> str | None:
    """Full-width → half-width (NFKC), lower case, no spaces or punctuation, and
    号楼/幢/栋 written one way: "桂花路１号 1栋" and "桂花路1号1幢" are one address."""
    if not address:
        return None
    text = addresses.normalize_address(address)[:ADDRESS_NORM_MAX]
    return text or None


def normalize_category(hint: str | None) -> str | None:
    """A category hint compared loosely: NFKC, case-folded, without whitespace."""
    if not hint:
        return None
    text = _SPACES.sub("", unicodedata.normalize("NFKC", hint)).casefold()[:CATEGORY_NORM_MAX]
    return text or None


@dataclass(frozen=True)
class CategoryKey:
    """What duplicates are compared on: the catalogue's code when the hint names a
    category (by code or by name), else the loosely normalised hint."""

    norm: str | None
    code: str | None


async def category_key(*, session: AsyncSession, hint: str | None) -> CategoryKey:
    """ "垃圾满溢" (a category's name) and "environment/garbage-overflow" (its code) are
    one category once the catalogue knows it; unknown hints are compared as text."""
    if not hint or not hint.strip():
        return CategoryKey(norm=None, code=None)
    category = await catalogue_service.find_category(session=session, hint=hint)
    if category is not None:
        return CategoryKey(norm=category.code, code=category.code)
    return CategoryKey(norm=normalize_category(hint), code=None)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle (haversine) distance in metres; within 0.5% of the ellipsoidal
    distance, far better than needed at the scale of a street."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


class Candidate(Protocol):
    """What the rules read of an open case."""

    id: UUID
    tracking_no: str
    lat: float | None
    lon: float | None
    address_norm: str | None
    reported_at: datetime
    category_code: str | None


@dataclass(frozen=True)
class Match:
    """The open case a report duplicates, and why."""

    case: Candidate
    reason: str
    distance_m: float | None


def best_match(
    candidates: Sequence[Candidate],
    *,
    lat: float | None,
    lon: float | None,
    address_norm: str | None,
    max_distance_m: float,
) -> Match | None:
    """The nearest candidate within `max_distance_m`, else the earliest one at the same
    normalised address."""
    near: list[tuple[float, Candidate]] = []
    if lat is not None and lon is not None:
        for case in candidates:
            if case.lat is None or case.lon is None:
                continue
            d = distance_m(lat, lon, case.lat, case.lon)
            if d <= max_distance_m:
                near.append((d, case))
    if near:
        d, case = min(near, key=lambda item: (item[0], item[1].reported_at))
        return Match(case=case, reason=f"{d:.0f} m from {case.tracking_no}", distance_m=round(d, 1))
    if address_norm is not None:
        same = [c for c in candidates if c.address_norm == address_norm]
        if same:
            case = min(same, key=lambda c: c.reported_at)
            return Match(case=case, reason=f"same address as {case.tracking_no}", distance_m=None)
    return None


def lock_keys(
    *,
    category_norm: str,
    lat: float | None,
    lon: float | None,
    address_norm: str | None,
    max_distance_m: float,
) -> list[str]:
    """What a report of this category, place and address locks while it looks for the
    open case it duplicates: every cell of a fixed grid (cells ``2 × max_distance_m``
    on a side, in degrees of latitude) that the box of ``max_distance_m`` around its
    point touches, and its normalised address. Two reports that can merge (within
    ``max_distance_m`` of each other, or at one address) share a key — the cell of
    either's point lies in the other's box — while reports of one category far apart
    share none, so they do not wait for each other. Each key is the category followed
    by one of :func:`place_keys`."""
    return [
        category_norm + place
        for place in place_keys(
            lat=lat, lon=lon, address_norm=address_norm, max_distance_m=max_distance_m
        )
    ]


def place_keys(
    *,
    lat: float | None,
    lon: float | None,
    address_norm: str | None,
    max_distance_m: float,
) -> list[str]:
    """The place parts of :func:`lock_keys` (each to follow the category's key)."""
    keys = []
    if lat is not None and lon is not None:
        cell = max(2 * max_distance_m, 1.0) / METRES_PER_DEGREE
        reach = max_distance_m * 1.01 + 1  # a margin over the box the search uses
        dlat = reach / METRES_PER_DEGREE
        dlon = reach / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
        rows = range(math.floor((lat - dlat) / cell), math.floor((lat + dlat) / cell) + 1)
        cols = range(math.floor((lon - dlon) / cell), math.floor((lon + dlon) / cell) + 1)
        keys += [f"\x1fcell\x1f{row}\x1f{col}" for row in rows for col in cols]
    if address_norm is not None:
        keys.append(f"\x1faddress\x1f{address_norm}")
    return keys
