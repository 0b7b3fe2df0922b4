"""escalation alone under a burst of cases: `case.assigned` → `sla.clock_started`.

    .venv/bin/python bench/escalation_burst.py --rate 50 --duration 30

Starts escalation as a process (``python -m escalation``) with a database and a topic
namespace of its own (its migrations seed the city's default limits), then publishes,
for each case, the events escalation gets from the pipeline as intake and dispatch
publish them — `case.reported` on intake's topic, `case.routed` and `case.assigned` on
dispatch's, keyed by the case — at a fixed rate of cases for ``--duration`` seconds,
open loop, and waits (``--drain`` seconds at most) until every case's
`sla.clock_started` of its resolution clock is on escalation's topic. Prints
`case.assigned` published → `sla.clock_started` (resolution) read from Kafka p50/p99,
events handled per second while publishing, lost (no clock started), doubled (a
resolution clock announced twice), escalation's CPU time per case (user + system, from
the first event until the last clock: on a shared machine the steadiest figure) and its
peak RSS.

Nothing else runs (no intake, no dispatch, no notify), so on a shared machine it
measures escalation's own stage: the reports' projection of `case.reported`, the
clocks' consumer of `case.routed`/`case.assigned` (the facts projection, the sign-for
and resolution clocks with their durable timers, `sla.clock_started` through the
outbox), its outbox relay, and its groups skipping escalation's own events. It talks
to loopback only, removes what it made and stops by itself. The pid is printed, for a
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stage import (
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

DISTRICT = "510302"
CATEGORY = "environment/garbage-overflow"
GRIDS = [f"{DISTRICT}001{c:03d}{g:03d}" for c in range(1, 9) for g in range(1, 9)]
EVENTS_PER_CASE = 3


def case_events(run: str, i: int) -> list[tuple[str, payloads.CaseReported | payloads.CaseRef]]:
    """One case's events as escalation reads them: (topic, payload), in order."""
    case_id, now = envelope.new_id(), datetime.now(UTC)
    tracking_no = f"GC-20261128-{i:06d}"
    grid = GRIDS[i % len(GRIDS)]
    ref: dict[str, Any] = {
        "case_id": case_id,
        "tracking_no": tracking_no,
        "category_code": CATEGORY,
        "priority": "normal",
        "channel": "hotline",
        "external_ref": f"DB-{run}-{i:07d}",
    }
    return [
        (
            topics.INTAKE,
            payloads.CaseReported(
                case_id=case_id,
                tracking_no=tracking_no,
                channel="hotline",
                external_ref=ref["external_ref"],
                reported_at=now,
                content="楼下垃圾桶满溢三天无人清运，气味很大。",
                category_hint=CATEGORY,
                priority="normal",
                address=f"示范区压测路{run}-{i}号",
                location=payloads.GeoPoint(lat=29.35, lon=104.77),
                reporter=payloads.Contact(phone_masked="139****5678"),
            ),
        ),
        (
            topics.DISPATCH,
            payloads.CaseRouted(
                **ref,
                case_version=1,
                target="grid",
                method="point_in_polygon",
                grid_code=grid,
                reason="坐标落在网格内",
            ),
        ),
        (
            topics.DISPATCH,
            payloads.CaseAssigned(
                **ref,
                case_version=2,
                assignee_id=f"gm{grid[-6:]}a",
                assignee_role="grid_member",
                post="A",
                reason="A岗在岗",
                grid_code=grid,
                summary="楼下垃圾桶满溢",
                assigned_at=now,
            ),
        ),
    ]


async def watch_clocks(
    kafka: str, namespace: str, seen: dict[str, list[float]], ready_: asyncio.Event
) -> None:
    """Records when each resolution clock's `sla.clock_started` arrives."""
    async for record in tail(kafka, topics.qualify(namespace, topics.ESCALATION), ready_):
        if dict(record.headers or ()).get("type") not in (None, b"sla.clock_started"):
            continue
        event = json.loads(record.value or b"{}")
        data = event.get("data", {})
        if event.get("type") == "sla.clock_started" and data.get("clock") == "resolution":
            seen.setdefault(str(data["case_id"]), []).append(time.time())


async def measure(
    producer: Any, kafka: str, namespace: str, pid: int, args: argparse.Namespace
) -> None:
    clocked: dict[str, list[float]] = {}
    watching = asyncio.Event()
    watcher = asyncio.create_task(watch_clocks(kafka, namespace, clocked, watching))
    await asyncio.wait_for(watching.wait(), 60)
    run = secrets.token_hex(3)
    published: dict[str, float] = {}
    peak = 0.0
    cpu_before = cpu_seconds(pid)
    started, began = time.monotonic(), time.time()
    for i in range(int(args.rate * args.duration)):
        delay = started + i / args.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
            peak = max(peak, rss_mib(pid))
        events = case_events(run, i)
        for topic, payload in events:
            if isinstance(payload, payloads.CaseAssigned):
                published[str(payload.case_id)] = time.time()
            source = "intake" if topic == topics.INTAKE else "dispatch"
            await publish(producer, namespace, topic, payload, source=source, tenant=DISTRICT)
    await producer.flush()
    pushed = time.time()
    deadline = time.monotonic() + args.drain
    while len(published.keys() & clocked.keys()) < len(published):
        if time.monotonic() > deadline:
            break
        peak = max(peak, rss_mib(pid))
        await asyncio.sleep(0.5)
    cpu = cpu_seconds(pid) - cpu_before
    await asyncio.sleep(min(2.0, args.drain))  # doubles arriving just after
    watcher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watcher
    latency = [clocked[c][0] - at for c, at in published.items() if c in clocked]
    in_window = sum(1 for c in published if c in clocked and clocked[c][0] <= pushed)
    window = max(pushed - began, 1e-9)
    print(
        f"\npublished {len(published)} cases ({EVENTS_PER_CASE} events each: reported, "
        f"routed, assigned) at {args.rate}/s for {args.duration} s"
    )
    rows = [
        ("assigned → clock_started p50 / p99", f"{pct(latency, 0.5)} / {pct(latency, 0.99)}"),
        ("cases clocked while publishing", f"{in_window / window:.1f} /s"),
        ("events handled while publishing", f"{in_window * EVENTS_PER_CASE / window:.1f} /s"),
        ("clocked (all, until drained)", f"{len(latency)} of {len(published)}"),
        ("lost (no clock started)", str(sum(1 for c in published if c not in clocked))),
        (
            "doubled (announced twice)",
            str(sum(1 for c in published if len(clocked.get(c, [])) > 1)),
        ),
        ("escalation CPU per case", f"{cpu / max(len(latency), 1) * 1000:.2f} ms"),
        ("RSS peak escalation", f"{peak:.0f} MB"),
    ]
    print_rows(rows, 36)
    print_machine(five_minutes=True)


async def run(args: argparse.Namespace) -> None:
    env = {"GRIDCASE_LOG_LEVEL": args.log_level}
    async with one_service("escalation", partitions=args.partitions, logs=args.logs, env=env) as s:
        await measure(s.producer, s.db.kafka, s.db.namespace, s.proc.pid, args)


def main() -> None:
    parser = stage_parser(__doc__, unit="cases", drain=120.0)
    parser.add_argument("--log-level", default="WARNING", help="escalation's")
    asyncio.run(run(parse_stage_args(parser, "escalation")))


if __name__ == "__main__":
    main()
