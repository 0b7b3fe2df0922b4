"""How fast intake takes 12345 tickets in, against the real broker and database.

    make bench        (or: .venv/bin/python bench/hotline_intake.py [tickets] [concurrency])

Runs intake in-process (its real lifespan: migrations, outbox relay, consumers) on a
fresh database and topic namespace, then pushes signed tickets over HTTP (in-process
ASGI, so the figures are intake's own cost, not a network's): one at a time, then
`concurrency` at a time, then in batches of 500 (`POST /v1/hotline/tickets:batch`).
Every ticket is at its own spot, so the duplicate-merge search runs and finds nothing.
Prints tickets per second, latency percentiles and the process's peak memory; the
database is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import resource
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

from gridcase_events.kit import signing
from gridcase_events.kit.clock import SystemClock
from gridcase_events.kit.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA, DEV_HOTLINE_SECRET
from gridcase_events.testing import Servers, _create_database, _drop_database, running
from intake.config import IntakeSettings
from intake.main import create_app

RUN = secrets.token_hex(3)


def ticket(i: int) -> dict[str, Any]:
    # A grid of spots ~300 m apart inside the demo district: no two tickets merge.
    row, col = divmod(i, 40)
    return {
        "ticket_no": f"BENCH-{RUN}-{i:07d}",
        "received_at": datetime.now(UTC).isoformat(),
        "caller_name": "市民张先生",
        "caller_phone": "13912345678",
        "content": "桂花路1号1栋楼下垃圾桶满溢三天无人清运，气味很大。",
        "category_hint": "environment/garbage-overflow",
        "address": f"示范区东城街道桂花路{i}号",
        "lat": 29.31 + (row % 35) * 0.003,
        "lon": 104.73 + col * 0.003,
        "urgency": "normal",
    }


def signed(body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        signing.HEADER: signing.sign(DEV_HOTLINE_SECRET, body, now=SystemClock().now()),
    }


async def push(client: Any, i: int) -> float:
    body = json.dumps(ticket(i), ensure_ascii=False).encode()
    started = time.perf_counter()
    response = await client.post("/v1/hotline/tickets", content=body, headers=signed(body))
    elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise SystemExit(f"push {i}: {response.status_code} {response.text}")
    return elapsed


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main(n: int, concurrency: int) -> None:
    os.environ["GRIDCASE_LOG_LEVEL"] = "WARNING"  # one request line per push would flood
    servers = Servers(
        os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA),
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        "environment",
    )
    url, admin_dsn = await _create_database(servers)
    settings = IntakeSettings(
        env="development",
        database_url=url,
        kafka_bootstrap_servers=servers.kafka,
        topic_namespace=f"bench{RUN}.",
        district_bounds="104.70,29.28,104.90,29.45",
    )
    try:
        async with running(create_app(settings)) as client:
            await push(client, 0)  # warm up: connections, caches
            serial = [await push(client, i) for i in range(1, n + 1)]
            print(
                f"single push, one at a time: {n / sum(serial):,.0f} tickets/s, "
                f"p50 {pct(serial, 0.5):.1f} ms, p99 {pct(serial, 0.99):.1f} ms"
            )

            base = n + 1
            gate = asyncio.Semaphore(concurrency)

            async def limited(i: int) -> float:
                async with gate:
                    return await push(client, i)

            started = time.perf_counter()
            parallel = await asyncio.gather(*(limited(base + i) for i in range(n)))
            wall = time.perf_counter() - started
            print(
                f"single push, {concurrency} at a time: {n / wall:,.0f} tickets/s, "
                f"p50 {pct(parallel, 0.5):.1f} ms, p99 {pct(parallel, 0.99):.1f} ms"
            )

            base += n
            batches = max(1, n // 500)
            started = time.perf_counter()
            for b in range(batches):
                tickets = [ticket(base + b * 500 + k) for k in range(500)]
                body = json.dumps({"tickets": tickets}, ensure_ascii=False).encode()
                response = await client.post(
                    "/v1/hotline/tickets:batch", content=body, headers=signed(body)
                )
                created = sum(r["result"] == "created" for r in response.json()["results"])
                if response.status_code != 207 or created != 500:
                    raise SystemExit(f"batch {b}: {response.status_code}, {created} created")
            wall = time.perf_counter() - started
            print(
                f"batch of 500: {batches * 500 / wall:,.0f} tickets/s "
                f"({wall / batches:.2f} s per batch, {batches} batches)"
            )
    finally:
        await _drop_database(url, admin_dsn)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak RSS: {rss:.0f} MiB; median single-push latency {statistics.median(serial) * 1000:.1f} ms"
    )
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 1000,
            int(sys.argv[2]) if len(sys.argv) > 2 else 20,
        )
    )
