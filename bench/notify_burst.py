"""notify alone under a burst of cases: `case.assigned` → SMS at the gateway.

    .venv/bin/python bench/notify_burst.py --rate 50 --duration 30
    .venv/bin/python bench/notify_burst.py --rate 50 --duration 30 --assigned-only

Starts notify as a process (``python -m notify``) with a database and a topic namespace of
its own and an SMS sink in another process, publishes ``--staff`` staff members to the
directory topic and waits until notify holds them, then publishes cases at a fixed rate
for ``--duration`` seconds, open loop, and waits (``--drain`` seconds at most) until every
assignment's SMS is at the sink. Each case is the events of it that reach notify in the
whole pipeline, in their order: intake's `case.reported` (a hotline report with the
resident's phone, encrypted), then dispatch's `case.routed` (on the topic notify reads,
skipped by its consumer) and `case.assigned` (one category, each to one of the staff
members, round robin). ``--assigned-only`` publishes `case.assigned` alone (the earlier
mode). Prints `case.assigned` published → SMS at the sink p50/p99, SMS per second while
publishing, SMS received, doubled, notify's peak RSS, and the CPU time notify used
from the first case until the last SMS, per case (the figure a busy machine disturbs
least).

Nothing upstream runs (no intake, no dispatch), so on a shared machine it measures
notify's own stage: its consumers, its delivery worker and its outbox relay. It talks to
loopback only and removes what it made.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stage import (
    cpu_seconds,
    free_port,
    one_service,
    parse_stage_args,
    pct,
    print_machine,
    print_rows,
    ready,
    rss_mib,
    sms_sink,
    stage_parser,
    stop,
)
from gridcase_events import envelope, payloads, topics
from gridcase_events.kit.db import create_engine
from gridcase_events.kit.pii import PiiCipher
from gridcase_events.kit.settings import DEV_PII_KEY

GRID = "510302001001001"
TRACKING = re.compile(r"GC-20261128-\d{6}")


CATEGORY = "environment/garbage-overflow"


def reported(case_id: UUID, i: int, cipher: PiiCipher) -> payloads.CaseReported:
    phone = f"138{i:08d}"
    return payloads.CaseReported(
        case_id=case_id,
        tracking_no=f"GC-20261128-{i:06d}",
        channel="hotline",
        external_ref=f"T{i:08d}",
        reported_at=datetime.now(UTC),
        content="小区门口垃圾满溢，无人清运。",
        category_hint=CATEGORY,
        priority="normal",
        address="幸福路 1 号",
        reporter=payloads.Contact(
            name_masked="张*",
            phone_masked=phone[:3] + "****" + phone[-4:],
            phone_encrypted=cipher.encrypt(phone),
        ),
    )


def routed(case_id: UUID, i: int) -> payloads.CaseRouted:
    return payloads.CaseRouted(
        case_id=case_id,
        tracking_no=f"GC-20261128-{i:06d}",
        category_code=CATEGORY,
        priority="normal",
        channel="hotline",
        external_ref=f"T{i:08d}",
        target="grid",
        method="point_in_polygon",
        grid_code=GRID,
        reason="point in grid",
    )


def assignment(case_id: UUID, i: int, staff: int) -> payloads.CaseAssigned:
    return payloads.CaseAssigned(
        case_id=case_id,
        tracking_no=f"GC-20261128-{i:06d}",
        category_code=CATEGORY,
        priority="normal",
        channel="hotline",
        external_ref=f"T{i:08d}",
        assignee_id=f"nb{i % staff}",
        assignee_role="grid_member",
        post="A",
        reason="A post",
        grid_code=GRID,
        summary="垃圾满溢。",
        assigned_at=datetime.now(UTC),
    )


async def run(args: argparse.Namespace) -> None:
    sms_port = free_port()
    env = {
        "NOTIFY_SMS_GATEWAY_URL": f"http://127.0.0.1:{sms_port}/sms/send",
        "NOTIFY_QUIET_HOURS": "",
        "NOTIFY_SMS_BURST_LIMIT": "1000000",
    }
    sink = sms_sink(sms_port, log=args.logs / "sms-sink.log")
    try:
        sink_url = f"http://127.0.0.1:{sms_port}"
        await ready(f"{sink_url}/sms/messages", sink)
        async with one_service("notify", partitions=args.partitions, logs=args.logs, env=env) as s:
            await publish_staff(s.producer, s.db.namespace, s.db.database_url, args.staff)
            await measure(s.producer, s.db.namespace, sink_url, s.proc.pid, args)
    finally:
        stop(sink)


async def send(
    producer: Any, namespace: str, payload: Any, subject: str, source: str = "dispatch"
) -> None:
    event = envelope.build(
        payload,
        subject=subject,
        source=source,
        tenant="510302",
        correlation_id=f"bench-{subject}",
        time=datetime.now(UTC),
    )
    topic = topics.qualify(namespace, topics.for_event(source=source, event_type=event.type))
    await producer.send(topic, key=subject.encode(), value=event.to_bytes())


async def publish_staff(producer: Any, namespace: str, database_url: str, staff: int) -> None:
    cipher = PiiCipher(DEV_PII_KEY)
    for i in range(staff):
        phone = f"139{i:08d}"
        member = payloads.StaffUpserted(
            staff_id=f"nb{i}",
            name=f"网格员{i}",
            role="grid_member",
            area_code=GRID,
            department_code=None,
            post="A",
            phone_masked=phone[:3] + "****" + phone[-4:],
            phone_encrypted=cipher.encrypt(phone),
        )
        await send(producer, namespace, member, f"staff:nb{i}")
    await producer.flush()
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            count = text("SELECT count(*) FROM notify.contacts")
            while ((await conn.scalar(count)) or 0) < staff:  # noqa: ASYNC110 - polls the database
                await asyncio.sleep(0.5)
    finally:
        await engine.dispose()


async def measure(
    producer: Any, namespace: str, sink_url: str, pid: int, args: argparse.Namespace
) -> None:
    published: dict[str, float] = {}
    cipher = PiiCipher(DEV_PII_KEY)
    peak = 0.0
    cpu_before = cpu_seconds(pid)
    started = time.monotonic()
    began = time.time()
    for i in range(int(args.rate * args.duration)):
        delay = started + i / args.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
            peak = max(peak, rss_mib(pid))
        case_id = envelope.new_id()
        if not args.assigned_only:
            await send(producer, namespace, reported(case_id, i, cipher), str(case_id), "intake")
            await send(producer, namespace, routed(case_id, i), str(case_id))
        payload = assignment(case_id, i, args.staff)
        published[payload.tracking_no] = time.time()
        await send(producer, namespace, payload, str(case_id))
    await producer.flush()
    pushed = time.time()
    texts: dict[str, list[float]] = {}
    deadline = time.monotonic() + args.drain
    async with httpx.AsyncClient() as client:
        while True:
            texts.clear()
            for message in (await client.get(f"{sink_url}/sms/messages", timeout=30)).json():
                at = datetime.fromisoformat(message["received_at"]).timestamp()
                for tracking_no in TRACKING.findall(str(message.get("content") or "")):
                    texts.setdefault(tracking_no, []).append(at)
            peak = max(peak, rss_mib(pid))
            if len(texts) >= len(published) or time.monotonic() > deadline:
                break
            await asyncio.sleep(1.0)
    cpu = cpu_seconds(pid) - cpu_before
    latency = [min(texts[t]) - at for t, at in published.items() if texts.get(t)]
    in_window = sum(1 for t in published if texts.get(t) and min(texts[t]) <= pushed)
    mix = "case.assigned only" if args.assigned_only else "cases (reported, routed, assigned)"
    print(f"\npublished {len(published)} {mix} at {args.rate}/s for {args.duration} s")
    rows = [
        ("case.assigned → SMS p50 / p99", f"{pct(latency, 0.5)} / {pct(latency, 0.99)}"),
        ("SMS while publishing", f"{in_window / max(pushed - began, 1e-9):.1f} /s"),
        ("SMS received", f"{len(latency)} of {len(published)}"),
        ("doubled", str(sum(1 for v in texts.values() if len(v) > 1))),
        ("RSS peak notify", f"{peak:.0f} MB"),
        ("CPU notify per case", f"{cpu * 1000 / max(len(published), 1):.1f} ms ({cpu:.1f} s)"),
    ]
    print_rows(rows, 30)
    print_machine()


def main() -> None:
    parser = stage_parser(__doc__, unit="cases", drain=180.0)
    parser.add_argument("--staff", type=int, default=64, help="staff members assigned in turn")
    parser.add_argument(
        "--assigned-only",
        action="store_true",
        help="publish case.assigned alone, not each case's case.reported and case.routed",
    )
    asyncio.run(run(parse_stage_args(parser, "notify")))


if __name__ == "__main__":
    main()
