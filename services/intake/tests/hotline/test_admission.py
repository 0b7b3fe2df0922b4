"""Admission control: past INTAKE_MAX_IN_FLIGHT a hotline push is answered 503 with
Retry-After at once, and a retry with the same ticket_no is taken once there is room;
the same while the event loop runs later than INTAKE_MAX_LOOP_LAG_MS. A push is held in
flight by a transaction holding its spot's merge lock (released at the end of the
block), never by sleeping; the loop's lateness is injected."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import eventually, running
from intake.cases import repository
from intake.config import IntakeSettings
from intake.main import create_app
from intake.merge.service import lock_keys, normalize_address

pytestmark = pytest.mark.integration

LAT, LON = 29.355, 104.7725
ADDRESS = "示范区东城街道桂花路1号1栋"


@contextlib.asynccontextmanager
async def spot_held(db: AsyncEngine) -> AsyncIterator[None]:
    """Holds the merge locks of the fixture ticket's spot until the block ends."""
    keys = lock_keys(
        category_norm="environment/garbage-overflow",
        lat=LAT,
        lon=LON,
        address_norm=normalize_address(ADDRESS),
        max_distance_m=100,
    )
    async with AsyncSession(db) as session, session.begin():
        await repository.lock_for_merge(session, keys)
        yield


async def in_flight(db: AsyncEngine, n: int) -> None:
    """Waits until `n` pushes wait for the held spot (PostgreSQL's lock table)."""

    async def enough() -> bool:
        async with db.connect() as conn:
            count = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                    " WHERE d.datname = current_database() AND l.locktype = 'advisory'"
                    " AND NOT l.granted AND l.classid = :space"
                ),
                {"space": repository._LOCK_SPACE},
            )
        return int(count or 0) >= n

    await eventually(enough)


async def stored(db: AsyncEngine, ticket_no: str) -> int:
    async with db.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM intake.cases WHERE external_ref = :ref"), {"ref": ticket_no}
        )
    return int(count or 0)


@pytest.mark.parametrize("settings_overrides", [{"max_in_flight": 1, "retry_after_seconds": 3}])
async def test_a_push_past_the_limit_is_503_at_once_and_its_retry_is_taken(
    push: Any, ticket: Any, db: AsyncEngine
) -> None:
    async with spot_held(db):
        first = asyncio.create_task(push(ticket(ticket_no="HELD-1")))
        await in_flight(db, 1)

        refused = await push(
            ticket(ticket_no="BUSY-1", lat=LAT + 0.01),
            **{"X-Correlation-Id": "hotline-busy-1"},
        )
        unnamed = await push(ticket(ticket_no="BUSY-2", lat=LAT + 0.02))

        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "3"
        assert refused.headers["X-Correlation-Id"] == "hotline-busy-1"
        assert unnamed.status_code == 503
        assert unnamed.headers["X-Correlation-Id"] not in ("", "hotline-busy-1")
        assert "same ticket_no" in refused.json()["detail"]
        assert await stored(db, "BUSY-1") == 0
        assert not first.done()
    assert (await first).status_code == 201

    retried = await push(ticket(ticket_no="BUSY-1", lat=LAT + 0.01))
    assert retried.status_code == 201
    assert await stored(db, "BUSY-1") == 1


@pytest.mark.parametrize("settings_overrides", [{"max_in_flight": 1}])
async def test_a_refused_push_does_no_work_not_even_the_signature(
    push: Any, ticket: Any, db: AsyncEngine
) -> None:
    async with spot_held(db):
        first = asyncio.create_task(push(ticket(ticket_no="HELD-2")))
        await in_flight(db, 1)

        refused = await push(ticket(ticket_no="BAD-SIG"), secret="not-the-hotline's")

        assert refused.status_code == 503  # not 401: it was not even read
    assert (await first).status_code == 201


@pytest.mark.parametrize("settings_overrides", [{"max_in_flight": 2}])
async def test_a_batch_counts_as_one_push_in_flight_and_is_refused_past_the_limit(
    push: Any, push_batch: Any, ticket: Any, db: AsyncEngine
) -> None:
    async with spot_held(db):
        batch = asyncio.create_task(push_batch([ticket(ticket_no="B-1"), ticket(ticket_no="B-2")]))
        single = asyncio.create_task(push(ticket(ticket_no="S-1")))
        await in_flight(db, 2)

        refused = await push_batch([ticket(ticket_no="B-3", lat=LAT + 0.01)])

        assert refused.status_code == 503
        assert "Retry-After" in refused.headers
        assert await stored(db, "B-3") == 0
    assert (await batch).status_code == 207
    assert (await single).status_code == 201
    assert (await push_batch([ticket(ticket_no="B-3", lat=LAT + 0.01)])).status_code == 207


class Late:
    """An injected reading of how late intake's event loop runs (seconds)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def late() -> Late:
    return Late()


@pytest.fixture
async def client(settings: IntakeSettings, clock: ManualClock, late: Late) -> AsyncIterator[Any]:
    """Intake with its loop-lag reading injected (this module's pushes)."""
    app = create_app(settings, clock=clock)
    async with running(app) as c:
        app.state.runtime.state.pushes.lag = late
        yield c


@pytest.mark.parametrize("settings_overrides", [{"max_loop_lag_ms": 200, "retry_after_seconds": 2}])
async def test_a_push_while_the_loop_runs_late_is_503_and_its_retry_is_taken(
    push: Any, ticket: Any, db: AsyncEngine, late: Late
) -> None:
    late.seconds = 0.35

    refused = await push(ticket(ticket_no="LATE-1"))

    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "2"
    assert "350 ms late" in refused.json()["detail"]
    assert "same ticket_no" in refused.json()["detail"]
    assert await stored(db, "LATE-1") == 0

    late.seconds = 0.15  # within the bound again
    retried = await push(ticket(ticket_no="LATE-1"))
    assert retried.status_code == 201
    assert await stored(db, "LATE-1") == 1


@pytest.mark.parametrize("settings_overrides", [{"max_loop_lag_ms": 200}])
async def test_a_batch_while_the_loop_runs_late_is_refused_whole(
    push_batch: Any, ticket: Any, db: AsyncEngine, late: Late
) -> None:
    late.seconds = 1.0

    refused = await push_batch([ticket(ticket_no="LB-1"), ticket(ticket_no="LB-2", lat=LAT + 0.01)])

    assert refused.status_code == 503
    assert "Retry-After" in refused.headers
    assert await stored(db, "LB-1") + await stored(db, "LB-2") == 0


async def test_without_a_loop_lag_bound_a_late_loop_still_takes_pushes(
    push: Any, ticket: Any, db: AsyncEngine, late: Late
) -> None:
    late.seconds = 30.0  # INTAKE_MAX_LOOP_LAG_MS is 0 (off) unless set

    assert (await push(ticket(ticket_no="LATE-OFF"))).status_code == 201
    assert await stored(db, "LATE-OFF") == 1


@pytest.mark.parametrize("settings_overrides", [{"max_push_age_seconds": 5}])
async def test_a_push_signed_too_long_ago_is_503_at_once_and_its_retry_is_taken(
    push: Any, push_batch: Any, ticket: Any, db: AsyncEngine, clock: ManualClock
) -> None:
    # It waited in the listen queue of a busy process; its sender has likely given up.
    stale = await push(ticket(ticket_no="STALE-1"), at=clock.now() - timedelta(seconds=8))

    assert stale.status_code == 503
    assert "Retry-After" in stale.headers
    assert "signed 8 s ago" in stale.json()["detail"]
    assert "same ticket_no" in stale.json()["detail"]
    assert await stored(db, "STALE-1") == 0
    stale_batch = await push_batch(
        [ticket(ticket_no="STALE-2")], at=clock.now() - timedelta(seconds=8)
    )
    assert stale_batch.status_code == 503
    assert await stored(db, "STALE-2") == 0

    fresh = await push(ticket(ticket_no="STALE-1"), at=clock.now() - timedelta(seconds=4))
    assert fresh.status_code == 201
    assert await stored(db, "STALE-1") == 1


async def test_without_an_age_bound_an_old_signature_within_tolerance_is_taken(
    push: Any, ticket: Any, db: AsyncEngine, clock: ManualClock
) -> None:
    # INTAKE_MAX_PUSH_AGE_SECONDS is 0 (off) unless set: only the signature's tolerance.
    old = await push(ticket(ticket_no="OLD-1"), at=clock.now() - timedelta(seconds=120))

    assert old.status_code == 201
    assert await stored(db, "OLD-1") == 1
