"""Durable timers at scale: lateness at steady state and catch-up throughput, with one
million other timers pending. Runs escalation's real schema and scheduler against the
local PostgreSQL (no Kafka needed: events go to the outbox).

    .venv/bin/python bench/timers.py [pending] [seconds]
"""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker

from escalation import models  # noqa: F401 - registers the tables
from escalation.config import EscalationSettings
from escalation.db import schema
from escalation.timers.scheduler import TimerScheduler
from gridcase_events.kit.clock import SystemClock
from gridcase_events.kit.db import async_url, create_engine, upgrade
from gridcase_events.kit.pii import PiiCipher
from gridcase_events.kit.runtime import Runtime
from gridcase_events.kit.settings import DEFAULT_DATABASE_URL, DEV_PII_KEY


class _NoRelay:
    def wake(self) -> None:
        """Events stay in the outbox: the benchmark measures the scheduler alone."""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def main(pending: int, seconds: int) -> None:
    base = make_url(async_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)))
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"gridcase_bench_{secrets.token_hex(3)}"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url, pool_size=5)
    try:
        await upgrade(engine, schema="escalation", script_location=schema.migrations)
        now = datetime.now(UTC)
        async with engine.begin() as c:
            clock_id = (
                await c.execute(
                    text(
                        "INSERT INTO escalation.clocks (case_id, tracking_no, kind, generation, status, started_at, due_at,"
                        " priority, correlation_id, updated_at) VALUES (gen_random_uuid(), 'GC-BENCH', 'resolution', 1,"
                        " 'running', :now, :far, 'normal', 'bench', :now) RETURNING id"
                    ),
                    {"now": now, "far": now + timedelta(days=60)},
                )
            ).scalar_one()
            started = time.perf_counter()
            await c.execute(
                text(
                    "INSERT INTO escalation.timers (clock_id, case_id, kind, percent, level, epoch, due_at, status)"
                    " SELECT :clock, gen_random_uuid(), 'threshold', 100, g, 0,"
                    " CAST(:start AS timestamptz) + g * interval '1 second', 'pending' FROM generate_series(1, :n) g"
                ),
                {"clock": clock_id, "start": now + timedelta(days=30), "n": pending},
            )
        print(
            f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        print(
            f"pending timers (due in 30+ days): {pending:,} inserted in {time.perf_counter() - started:.1f} s"
        )

        settings = EscalationSettings(env="development", database_url=url)
        runtime: Runtime[EscalationSettings, Any] = Runtime(
            service="escalation",
            settings=settings,
            schema=schema,
            clock=SystemClock(),
            engine=engine,
            sessionmaker=async_sessionmaker(engine, expire_on_commit=False),
            producer=None,
            relay=_NoRelay(),  # type: ignore[arg-type]
            pii=PiiCipher(DEV_PII_KEY),
        )
        scheduler = TimerScheduler(runtime=runtime)

        # Steady state: 100 warnings a second for `seconds` seconds, fired as they fall due.
        rate = 100
        begin = datetime.now(UTC) + timedelta(seconds=2)
        async with engine.begin() as c:
            await c.execute(
                text(
                    "INSERT INTO escalation.timers (clock_id, case_id, kind, percent, level, epoch, due_at, status)"
                    " SELECT :clock, gen_random_uuid(), 'threshold', 50, -g, 0,"
                    " CAST(:begin AS timestamptz) + g * (interval '1 second' / CAST(:rate AS int)), 'pending' FROM generate_series(1, :n) g"
                ),
                {"clock": clock_id, "begin": begin, "rate": rate, "n": rate * seconds},
            )
        task = asyncio.create_task(scheduler.run())
        await asyncio.sleep(seconds + 3)
        scheduler.stop()
        await task
        async with engine.connect() as c:
            rows = (
                (
                    await c.execute(
                        text(
                            "SELECT extract(epoch FROM fired_at - due_at) FROM escalation.timers WHERE percent = 50"
                            " AND status = 'fired'"
                        )
                    )
                )
                .scalars()
                .all()
            )
        late = [float(v) for v in rows]
        print(
            f"steady state: {len(late)} of {rate * seconds} timers fired ({rate}/s for {seconds} s)"
        )
        print(
            f"  lateness p50 {statistics.median(late) * 1000:.0f} ms, p99 {percentile(late, 0.99) * 1000:.0f} ms,"
            f" max {max(late) * 1000:.0f} ms"
        )

        # Catch-up: 20,000 timers already overdue (as after downtime), fired in batches.
        backlog = 20_000
        async with engine.begin() as c:
            await c.execute(
                text(
                    "INSERT INTO escalation.timers (clock_id, case_id, kind, percent, level, epoch, due_at, status)"
                    " SELECT :clock, gen_random_uuid(), 'threshold', 80, -g, 0, CAST(:due AS timestamptz), 'pending'"
                    " FROM generate_series(1, :n) g"
                ),
                {"clock": clock_id, "due": datetime.now(UTC) - timedelta(hours=1), "n": backlog},
            )
        started = time.perf_counter()
        fired = 0
        while fired < backlog:
            fired += await scheduler.run_once()
        elapsed = time.perf_counter() - started
        print(
            f"catch-up: {backlog:,} overdue timers fired in {elapsed:.1f} s ({backlog / elapsed:,.0f}/s,"
            " each with its event in the outbox)"
        )
    finally:
        await engine.dispose()
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await conn.close()


if __name__ == "__main__":
    args: list[Any] = sys.argv[1:]
    asyncio.run(main(int(args[0]) if args else 1_000_000, int(args[1]) if len(args) > 1 else 20))
