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
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from gridcase_events import envelope, payloads, topics
from gridcase_events.kit.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA
from gridcase_events.producer import create_producer

DISTRICT = "510302"
CATEGORY = "environment/garbage-overflow"
GRIDS = [f"{DISTRICT}001{c:03d}{g:03d}" for c in range(1, 9) for g in range(1, 9)]
EVENTS_PER_CASE = 3


def pct(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    v = ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.1f} s"


def rss_mib(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """The process's user and system CPU time so far (/proc/PID/stat)."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


async def ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(1200):
            if proc.poll() is not None:
                raise SystemExit(f"{url}: exited (see its log)")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url, timeout=2)).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise SystemExit(f"{url} not ready")


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


async def send(producer: Any, namespace: str, topic: str, payload: Any) -> None:
    """As the outbox relays publish it: keyed by the case, with the type header."""
    event = envelope.build(
        payload,
        subject=str(payload.case_id),
        source="intake" if topic == topics.INTAKE else "dispatch",
        tenant=DISTRICT,
        correlation_id=f"bench-{payload.case_id}",
        time=datetime.now(UTC),
    )
    headers = [
        ("type", event.type.encode()),
        ("event_id", str(event.id).encode()),
        ("correlation_id", event.correlation_id.encode()),
    ]
    await producer.send(
        topics.qualify(namespace, topic),
        key=str(payload.case_id).encode(),
        value=event.to_bytes(),
        headers=headers,
    )


async def watch_clocks(
    kafka: str, namespace: str, seen: dict[str, list[float]], ready_: asyncio.Event
) -> None:
    """Records when each resolution clock's `sla.clock_started` arrives."""
    consumer = AIOKafkaConsumer(
        topics.qualify(namespace, topics.ESCALATION),
        bootstrap_servers=kafka,
        auto_offset_reset="latest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    try:
        async with asyncio.timeout(30):
            while not consumer.assignment():  # noqa: ASYNC110 - aiokafka has no event for it
                await asyncio.sleep(0.05)
        partitions = list(consumer.assignment())
        await consumer.seek_to_end(*partitions)
        for tp in partitions:
            await consumer.position(tp)
        ready_.set()
        async for record in consumer:
            if dict(record.headers or ()).get("type") not in (None, b"sla.clock_started"):
                continue
            event = json.loads(record.value or b"{}")
            data = event.get("data", {})
            if event.get("type") == "sla.clock_started" and data.get("clock") == "resolution":
                seen.setdefault(str(data["case_id"]), []).append(time.time())
    finally:
        await consumer.stop()


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
            await send(producer, namespace, topic, payload)
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
    for label, value in rows:
        print(f"  {label:<36}  {value}")
    load = os.getloadavg()
    print(
        f"  machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} at the end"
    )


async def run(args: argparse.Namespace) -> None:
    from gridcase_events.testing import (
        Servers,
        _create_database,
        _delete_namespace,
        _drop_database,
        free_port,
    )

    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA)
    servers = Servers(kafka, os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), "environment")
    database_url, admin_dsn = await _create_database(servers)
    namespace = f"ebench{secrets.token_hex(4)}."
    await topics.ensure(kafka, namespace=namespace, partitions=args.partitions)
    port = free_port()
    env = {
        **os.environ,
        "GRIDCASE_ENV": "development",
        "GRIDCASE_LOG_LEVEL": args.log_level,
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "GRIDCASE_TOPIC_NAMESPACE": namespace,
        "ESCALATION_PORT": str(port),
    }
    url = f"http://127.0.0.1:{port}"
    with (Path(args.logs) / "escalation.log").open("wb") as log:
        escalation = subprocess.Popen(  # noqa: ASYNC220 - our own interpreter; returns at once
            [sys.executable, "-m", "escalation"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    producer = create_producer(kafka, client_id="bench-escalation")
    try:
        await ready(f"{url}/readyz", escalation)
        await producer.start()
        print(f"escalation pid {escalation.pid}, logs in {args.logs}", flush=True)
        await measure(producer, kafka, namespace, escalation.pid, args)
    finally:
        await producer.stop()
        escalation.send_signal(signal.SIGTERM)
        try:
            escalation.wait(timeout=30)
        except subprocess.TimeoutExpired:
            escalation.kill()
        await _drop_database(database_url, admin_dsn)
        await _delete_namespace(kafka, namespace)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=50.0, help="cases per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of publishing")
    parser.add_argument("--drain", type=float, default=120.0, help="seconds to wait for the rest")
    parser.add_argument("--partitions", type=int, default=3, help="partitions per topic")
    parser.add_argument("--log-level", default="WARNING", help="escalation's")
    parser.add_argument("--logs", help="where escalation's log goes (a new directory)")
    args = parser.parse_args()
    args.logs = args.logs or tempfile.mkdtemp(prefix="gridcase-bench-escalation-")
    Path(args.logs).mkdir(parents=True, exist_ok=True)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
