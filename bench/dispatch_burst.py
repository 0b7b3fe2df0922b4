"""dispatch alone under a burst of reports: `case.reported` → `case.assigned`.

    .venv/bin/python bench/dispatch_burst.py --rate 50 --duration 30

Starts dispatch as a process (``python -m dispatch``) with a database and a topic
namespace of its own, imports a generated district of ``--grids`` grids (every grid with
an A and a B post and a leader on duty; ``gridcase_events.testing_districts``), then
publishes `case.reported` events as intake would (one category, each at a spot of its
own inside the district, no two alike) at a fixed rate for ``--duration`` seconds, open
loop, and waits (``--drain`` seconds at most) until every case's `case.assigned` is on
dispatch's topic. Prints `case.reported` published → `case.assigned` read from Kafka
p50/p99, cases assigned per second while publishing, lost (published, never assigned),
doubled (assigned twice), dispatch's CPU time per case assigned (user + system, from
the first report until the last assignment: on a shared machine the steadiest figure)
and its peak RSS.

Nothing else runs (no intake, no escalation, no notify), so on a shared machine it
measures dispatch's own stage: its `case.reported` consumer (routing, assignment), the
deadlines group skipping dispatch's own events, and its outbox relay. It talks to
loopback only, removes what it made and stops by itself. The pid is printed, for a
profiler (``py-spy record -p PID``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import secrets
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stage import (
    REPO,
    cpu_seconds,
    one_service,
    parse_stage_args,
    pct,
    print_machine,
    print_rows,
    publish,
    rss_mib,
    stage_parser,
    tail,
)
from gridcase_events import envelope, payloads, topics
from gridcase_events.testing_districts import GeneratedDistrict, generated_district

DISTRICT = "510302"
WEST, SOUTH, SIZE = 104.72, 29.30, 0.12
CATEGORY = "environment/garbage-overflow"


def district(grids: int) -> GeneratedDistrict:
    """One street of communities of 8 grids each (the last takes the rest)."""
    sizes = [8] * (grids // 8) + ([grids % 8] if grids % 8 else [])
    return generated_district(
        DISTRICT, west=WEST, south=SOUTH, shape=(tuple(sizes),), seed=18, size=SIZE
    )


async def import_district(url: str, generated: GeneratedDistrict) -> None:
    from gridcase_events.testing import bearer

    files = {
        "departments": ("departments.csv", (REPO / "deploy/demo/departments.csv").read_bytes()),
        "areas": ("areas.geojson", generated.areas_geojson()),
        "categories": ("categories.csv", (REPO / "deploy/demo/categories.csv").read_bytes()),
        "staff": ("staff.csv", generated.staff_csv()),
    }
    async with httpx.AsyncClient() as client:
        for kind, (name, content) in files.items():
            response = await client.post(
                f"{url}/v1/directory/import",
                params={"kind": kind},
                files={"file": (name, content)},
                headers=bearer("bench-admin", "admin", DISTRICT),
                timeout=120,
            )
            if response.status_code != 200:
                raise SystemExit(f"import {kind}: {response.status_code} {response.text}")


def spots(generated: GeneratedDistrict) -> Iterator[tuple[float, float]]:
    """Distinct spots, each inside a grid: the grids in turn, a step further in each round."""
    boxes = [g.box for g in generated.grids]
    step = 0.0004
    for i in range(10**9):
        west, south, east, _north = boxes[i % len(boxes)]
        k = i // len(boxes)
        cols = max(1, int((east - west) / step) - 1)
        row, col = divmod(k, cols)
        yield (round(south + step * (row + 1), 7), round(west + step * (col + 1), 7))


def reported(run: str, i: int, spot: tuple[float, float]) -> payloads.CaseReported:
    return payloads.CaseReported(
        case_id=envelope.new_id(),
        tracking_no=f"GC-20261128-{i:06d}",
        channel="hotline",
        external_ref=f"DB-{run}-{i:07d}",
        reported_at=datetime.now(UTC),
        content="楼下垃圾桶满溢三天无人清运，气味很大。",
        category_hint=CATEGORY,
        priority="normal",
        address=f"示范区压测路{run}-{i}号",
        location=payloads.GeoPoint(lat=spot[0], lon=spot[1]),
        reporter=payloads.Contact(phone_masked="139****5678"),
    )


async def watch_assigned(
    kafka: str, namespace: str, seen: dict[str, list[float]], ready_: asyncio.Event
) -> None:
    """Records when each `case.assigned` arrives (from the end of the topic as it was)."""
    async for record in tail(kafka, topics.qualify(namespace, topics.DISPATCH), ready_):
        if dict(record.headers or ()).get("type") not in (None, b"case.assigned"):
            continue
        event = json.loads(record.value or b"{}")
        if event.get("type") == "case.assigned":
            seen.setdefault(str(event["data"]["case_id"]), []).append(time.time())


async def measure(
    producer: Any, kafka: str, namespace: str, pid: int, args: argparse.Namespace
) -> None:
    generated = district(args.grids)
    assigned: dict[str, list[float]] = {}
    watching = asyncio.Event()
    watcher = asyncio.create_task(watch_assigned(kafka, namespace, assigned, watching))
    await asyncio.wait_for(watching.wait(), 60)
    run, where = secrets.token_hex(3), spots(generated)
    published: dict[str, float] = {}
    peak = 0.0
    cpu_before = cpu_seconds(pid)
    started, began = time.monotonic(), time.time()
    for i in range(int(args.rate * args.duration)):
        delay = started + i / args.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
            peak = max(peak, rss_mib(pid))
        payload = reported(run, i, next(where))
        published[str(payload.case_id)] = time.time()
        # as intake's outbox relay publishes it
        await publish(producer, namespace, topics.INTAKE, payload, source="intake", tenant=DISTRICT)
    await producer.flush()
    pushed = time.time()
    deadline = time.monotonic() + args.drain
    while len(published.keys() & assigned.keys()) < len(published):
        if time.monotonic() > deadline:
            break
        peak = max(peak, rss_mib(pid))
        await asyncio.sleep(0.5)
    cpu = cpu_seconds(pid) - cpu_before
    await asyncio.sleep(min(2.0, args.drain))  # doubles arriving just after
    watcher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watcher
    latency = [assigned[c][0] - at for c, at in published.items() if c in assigned]
    in_window = sum(1 for c in published if c in assigned and assigned[c][0] <= pushed)
    print(
        f"\npublished {len(published)} case.reported at {args.rate}/s for {args.duration} s, "
        f"one category, distinct spots, {args.grids} grids"
    )
    rows = [
        ("reported → assigned p50 / p99", f"{pct(latency, 0.5)} / {pct(latency, 0.99)}"),
        ("assigned while publishing", f"{in_window / max(pushed - began, 1e-9):.1f} /s"),
        ("assigned (all, until drained)", f"{len(latency)} of {len(published)}"),
        ("lost (never assigned)", str(sum(1 for c in published if c not in assigned))),
        (
            "doubled (assigned twice)",
            str(sum(1 for c in published if len(assigned.get(c, [])) > 1)),
        ),
        ("dispatch CPU per case", f"{cpu / max(len(latency), 1) * 1000:.2f} ms"),
        ("RSS peak dispatch", f"{peak:.0f} MB"),
    ]
    print_rows(rows, 32)
    print_machine(five_minutes=True)


async def run(args: argparse.Namespace) -> None:
    env = {"GRIDCASE_LOG_LEVEL": args.log_level}
    async with one_service("dispatch", partitions=args.partitions, logs=args.logs, env=env) as s:
        await import_district(s.url, district(args.grids))
        await measure(s.producer, s.db.kafka, s.db.namespace, s.proc.pid, args)


def main() -> None:
    parser = stage_parser(__doc__, unit="reports", drain=120.0)
    parser.add_argument("--grids", type=int, default=64, help="grids of the generated district")
    parser.add_argument("--log-level", default="WARNING", help="dispatch's")
    asyncio.run(run(parse_stage_args(parser, "dispatch")))


if __name__ == "__main__":
    main()
