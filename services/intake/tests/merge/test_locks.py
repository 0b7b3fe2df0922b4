"""Merging locks a report's place, not its whole category: pushes of one category far
apart go on while a transaction holds another spot, two reports of one spot still
become one case, and two batches never wait for each other in a cycle. Nothing here
waits on the clock: a held transaction makes the ordering, and PostgreSQL's lock table
shows who waits."""

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from gridcase_events.testing import eventually
from intake.cases import repository
from intake.merge.service import (
    METRES_PER_DEGREE,
    distance_m,
    lock_keys,
    normalize_address,
    normalize_category,
)

LAT, LON = 29.355, 104.7725
CATEGORY = "environment/garbage-overflow"
METRES_PER_DEGREE_LAT = 111_195.0


def north(metres: float, lat: float = LAT) -> float:
    return lat + metres / METRES_PER_DEGREE_LAT


def keys_of(lat: float, lon: float, address: str) -> list[str]:
    category = normalize_category(CATEGORY)
    assert category is not None
    return lock_keys(
        category_norm=category,
        lat=lat,
        lon=lon,
        address_norm=normalize_address(address),
        max_distance_m=100,
    )


@contextlib.asynccontextmanager
async def holding(db: AsyncEngine, keys: list[str]) -> AsyncIterator[None]:
    """A transaction that holds these merge locks until the block ends."""
    async with AsyncSession(db) as session, session.begin():
        await repository.lock_for_merge(session, keys)
        yield


async def waiting(db: AsyncEngine) -> int:
    """How many merge locks of this database are waited for right now."""
    async with db.connect() as conn:
        count = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                " WHERE d.datname = current_database() AND l.locktype = 'advisory'"
                " AND NOT l.granted AND l.classid = :space"
            ),
            {"space": repository._LOCK_SPACE},
        )
    return int(count or 0)


async def waiters(db: AsyncEngine, n: int) -> None:
    async def enough() -> bool:
        return await waiting(db) >= n

    await eventually(enough)


@pytest.mark.parametrize("bearing", range(0, 360, 15))
def test_two_points_within_the_merge_distance_share_a_lock(bearing: int) -> None:
    # At a cell corner, where a point's own cell and the other's differ most often.
    cell = 200 / METRES_PER_DEGREE
    lat, lon = math.ceil(LAT / cell) * cell, math.ceil(LON / cell) * cell
    for step in (1.0, 50.0, 99.0):
        other_lat = lat + step * math.cos(math.radians(bearing)) / METRES_PER_DEGREE_LAT
        other_lon = lon + step * math.sin(math.radians(bearing)) / (
            METRES_PER_DEGREE_LAT * math.cos(math.radians(lat))
        )
        assert distance_m(lat, lon, other_lat, other_lon) <= 100
        assert set(keys_of(lat, lon, "甲")) & set(keys_of(other_lat, other_lon, "乙"))


def test_points_a_kilometre_apart_share_no_lock() -> None:
    assert not set(keys_of(LAT, LON, "甲")) & set(keys_of(north(1000), LON, "乙"))


def test_one_address_is_one_lock_with_or_without_a_point() -> None:
    category = normalize_category(CATEGORY)
    assert category is not None
    without_point = lock_keys(
        category_norm=category,
        lat=None,
        lon=None,
        address_norm=normalize_address("桂花路１号 1栋"),
        max_distance_m=100,
    )
    assert len(without_point) == 1
    assert without_point[0] in keys_of(north(2000), LON, "桂花路1号1幢")


async def test_a_far_push_of_the_same_category_does_not_wait_for_a_held_spot(
    push: Any, ticket: Any, db: AsyncEngine
) -> None:
    async with holding(db, keys_of(LAT, LON, "示范区东城街道桂花路1号1栋")):
        near = asyncio.create_task(
            push(ticket(ticket_no="NEAR-1", lat=north(30), address="示范区东城街道桂花路3号"))
        )
        await waiters(db, 1)  # the near push waits for the spot's lock

        far = await push(ticket(ticket_no="FAR-1", lat=north(1000), address="桂花路99号"))

        assert far.status_code == 201
        assert "merged_into" not in far.json()
        assert not near.done()
    assert (await near).status_code == 201


async def test_a_push_without_a_point_waits_for_its_address_only(
    push: Any, ticket: Any, db: AsyncEngine
) -> None:
    async with holding(db, keys_of(LAT, LON, "示范区东城街道桂花路1号1栋")):
        same_address = asyncio.create_task(
            push(
                ticket(ticket_no="ADDR-1", lat=None, lon=None, address="示范区东城街道桂花路1号1幢")
            )
        )
        await waiters(db, 1)

        other = await push(ticket(ticket_no="ADDR-2", lat=None, lon=None, address="桂花路7号"))

        assert other.status_code == 201
        assert not same_address.done()
    assert (await same_address).status_code == 201


async def test_two_reports_of_one_spot_across_a_cell_border_become_one_case(
    push: Any, ticket: Any, db: AsyncEngine
) -> None:
    cell = 200 / METRES_PER_DEGREE
    border = math.ceil(LAT / cell) * cell
    south_of, north_of = north(-20, border), north(20, border)
    assert math.floor(south_of / cell) != math.floor(north_of / cell)  # two cells
    async with holding(db, keys_of(south_of, LON, "桂花路1号")):
        pushes = [
            asyncio.create_task(
                push(ticket(ticket_no=f"EDGE-{i}", lat=lat, address=f"桂花路{i + 10}号"))
            )
            for i, lat in enumerate((south_of, north_of))
        ]
        await waiters(db, 2)  # both wait for the held spot: neither is decided yet
    bodies = [(await p).json() for p in pushes]

    primaries = [b for b in bodies if "merged_into" not in b]
    assert len(primaries) == 1
    assert [b["merged_into"] for b in bodies if b is not primaries[0]] == [
        primaries[0]["tracking_no"]
    ]


async def test_two_batches_of_the_same_spots_in_opposite_orders_both_complete(
    push_batch: Any, ticket: Any, db: AsyncEngine
) -> None:
    """Issue 16, finding 7: batch X locks A then wants B while batch Y holds B and
    wants A. Here X waits for A first and Y queues behind it; when A is released, X
    takes it and, were the locks taken in ticket order, would wait for Y's B forever."""
    far = north(1000)
    a = {"lat": LAT, "address": "桂花路1号"}
    b = {"lat": far, "address": "桂花路99号"}
    async with holding(db, keys_of(LAT, LON, "桂花路1号")):
        x = asyncio.create_task(
            push_batch([ticket(ticket_no="X-A", **a), ticket(ticket_no="X-B", **b)])
        )
        await waiters(db, 1)
        y = asyncio.create_task(
            push_batch([ticket(ticket_no="Y-B", **b), ticket(ticket_no="Y-A", **a)])
        )
        await waiters(db, 2)
    responses = await asyncio.gather(x, y)

    assert [r.status_code for r in responses] == [207, 207]
    results = {r["ticket_no"]: r for resp in responses for r in resp.json()["results"]}
    assert {r["result"] for r in results.values()} == {"created"}
    for spot in ("A", "B"):
        pair = [results[f"X-{spot}"], results[f"Y-{spot}"]]
        assert sum("merged_into" not in r for r in pair) == 1  # one case per spot
