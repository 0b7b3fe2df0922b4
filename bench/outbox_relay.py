"""Throughput of the event plumbing against the real broker and database.

    make bench        (or: .venv/bin/python bench/outbox_relay.py [events] [--relay-only])

Enqueues N events through the outbox (500 per transaction), publishes them with one
relay and then with two, and consumes them with the consumer runner (inbox insert and
one transaction per event, offsets committed per batch). Prints events per second (and
the relay's CPU time per event), the latency from a commit to the broker's
acknowledgement at low load (with the kit's nudge after commit, and found by polling)
and the process's peak memory; ``--relay-only`` stops after the relay's figures. Uses its own schema and topic
namespace, removed afterwards.
"""

from __future__ import annotations

import asyncio
import os
import platform
import resource
import secrets
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stage import delete_namespace
from gridcase_events import consumer as consumer_module
from gridcase_events import envelope, outbox, topics
from gridcase_events.consumer import ConsumerRunner
from gridcase_events.inbox import inbox_table
from gridcase_events.kit import logs
from gridcase_events.kit.db import create_engine, make_metadata
from gridcase_events.kit.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA
from gridcase_events.payloads import CaseReported
from gridcase_events.producer import create_producer

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def event(i: int) -> envelope.Envelope:
    case_id = envelope.new_id()
    return envelope.build(
        CaseReported(
            case_id=case_id,
            tracking_no=f"GC-20261121-{i:06d}",
            channel="hotline",
            reported_at=NOW,
            content="桂花路1号1栋楼下垃圾桶满溢" * 3,
            priority="normal",
        ),
        subject=str(case_id),
        source="intake",
        tenant="510302",
        correlation_id=str(case_id),
        time=NOW,
    )


async def fill(sessionmaker: Any, table: Any, n: int) -> float:
    started = time.perf_counter()
    for start in range(0, n, 500):
        async with sessionmaker() as session, session.begin():
            for i in range(start, min(n, start + 500)):
                await outbox.enqueue(session, table, event(i))
    return time.perf_counter() - started


async def drain(
    relays: list[outbox.OutboxRelay], sessionmaker: Any, table: Any
) -> tuple[float, float]:
    """Seconds until every row is published, and the process's CPU seconds meanwhile
    (the steadier figure on a shared machine; the counting polls are in it too)."""
    started = time.perf_counter()
    cpu = time.process_time()
    tasks = [asyncio.create_task(r.run()) for r in relays]
    while True:
        async with sessionmaker() as session:
            left = (
                await session.execute(
                    select(func.count()).select_from(table).where(~table.c.published)
                )
            ).scalar_one()
        if left == 0:
            break
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    for r in relays:
        r.stop()
    await asyncio.gather(*tasks)
    return elapsed, cpu


async def latency(
    relay: outbox.OutboxRelay, sessionmaker: Any, table: Any, count: int, wake: bool
) -> list[float]:
    """Commit → acknowledged publish at low load: one event per transaction, one at a
    time, the relay idle between them; with the kit's in-process nudge after commit, or
    without it (another process's commit: the relay finds it at its next poll)."""
    task = asyncio.create_task(relay.run())
    await asyncio.sleep(0.2)
    seconds = []
    for i in range(count):
        before = relay.published
        async with sessionmaker() as session, session.begin():
            await outbox.enqueue(session, table, event(i))
        committed = time.perf_counter()
        if wake:
            relay.wake()
        while relay.published == before:  # noqa: ASYNC110 - polls a counter
            await asyncio.sleep(0.0005)
        seconds.append(time.perf_counter() - committed)
        await asyncio.sleep(0.02)
    relay.stop()
    await task
    return sorted(seconds)


def ignored(consumer: str) -> float:
    labels = {
        "consumer": consumer,
        "topic": topics.INTAKE,
        "type": "case.reported",
        "outcome": "ignored",
    }
    return REGISTRY.get_sample_value("gridcase_events_consumed_total", labels) or 0.0


async def skip_all(
    kafka: str,
    namespace: str,
    sessionmaker: Any,
    inbox: Any,
    producer: Any,
    handle: Any,
    count: int,
    by_header: bool,
) -> None:
    name = f"bench-skip-{by_header}"
    header = consumer_module._header
    if not by_header:
        consumer_module._header = lambda record, name: None  # the envelope parsed first
    before = ignored(name)
    skipper = ConsumerRunner(
        name=name,
        topics=[topics.INTAKE],
        handlers={"case.closed": handle},
        sessionmaker=sessionmaker,
        inbox=inbox,
        producer=producer,
        bootstrap_servers=kafka,
        namespace=namespace,
        max_poll_records=500,
    )
    started = time.perf_counter()
    await skipper.start()
    while ignored(name) - before < count:  # noqa: ASYNC110 - polls a metric
        await asyncio.sleep(0.01)
    seconds = time.perf_counter() - started
    await skipper.stop()
    consumer_module._header = header
    how = "by the type header" if by_header else "envelope parsed first"
    print(f"consumer, skipping  {count / seconds:8.0f} events/s  (types handled elsewhere, {how})")


async def main(n: int, relay_only: bool = False) -> None:
    # As a service logs (JSON to stdout), but only warnings: the figures are the output.
    logs.configure(service="bench", level="WARNING")
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA)
    engine = create_engine(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), pool_size=10)
    schema = f"bench_{secrets.token_hex(3)}"
    namespace = f"bench{secrets.token_hex(3)}."
    metadata = make_metadata(schema)
    table = outbox.outbox_table(metadata)
    inbox = inbox_table(metadata)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(metadata.create_all)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    await topics.ensure(kafka, namespace=namespace, partitions=6)
    producers = [create_producer(kafka, client_id=f"bench-{i}") for i in range(2)]
    for p in producers:
        await p.start()
    handled = 0
    all_handled = asyncio.Event()

    async def handle(session: Any, event: Any, payload: Any) -> None:
        nonlocal handled
        handled += 1
        if handled >= 2 * n:
            all_handled.set()

    try:
        print(
            f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        print(f"events: {n} per run (payload ~{len(event(0).to_bytes())} bytes)")
        seconds = await fill(sessionmaker, table, n)
        print(f"outbox enqueue      {n / seconds:8.0f} events/s  (500 per transaction)")
        one = [
            outbox.OutboxRelay(
                service="intake",
                table=table,
                sessionmaker=sessionmaker,
                producer=producers[0],
                namespace=namespace,
                batch_size=500,
                poll_interval=0.05,
            )
        ]
        seconds, cpu = await drain(one, sessionmaker, table)
        print(f"relay, 1 replica    {n / seconds:8.0f} events/s  ({cpu / n * 1e6:.0f} µs CPU each)")
        await fill(sessionmaker, table, n)
        two = [
            outbox.OutboxRelay(
                service="intake",
                table=table,
                sessionmaker=sessionmaker,
                producer=p,
                namespace=namespace,
                batch_size=500,
                poll_interval=0.05,
            )
            for p in producers
        ]
        seconds, cpu = await drain(two, sessionmaker, table)
        print(
            f"relay, 2 replicas   {n / seconds:8.0f} events/s  (one key per event,"
            f" {cpu / n * 1e6:.0f} µs CPU each)"
        )
        for wake in (True, False):
            lone = outbox.OutboxRelay(
                service="intake",
                table=table,
                sessionmaker=sessionmaker,
                producer=producers[0],
                namespace=namespace,
            )
            count = 200 if wake else 40
            ms = [s * 1000 for s in await latency(lone, sessionmaker, table, count, wake)]
            how = "nudged after commit" if wake else "no nudge: found by polling"
            print(
                f"commit → published  p50 {ms[len(ms) // 2]:5.1f} ms"
                f"  p99 {ms[min(len(ms) - 1, int(len(ms) * 0.99))]:6.1f} ms"
                f"  (one at a time, {how})"
            )
        if relay_only:
            return

        for batch in (False, True):
            handled = 0
            all_handled.clear()
            runner = ConsumerRunner(
                name=f"bench-batch-{batch}",
                topics=[topics.INTAKE],
                handlers={"case.reported": handle},
                sessionmaker=sessionmaker,
                inbox=inbox,
                producer=producers[0],
                bootstrap_servers=kafka,
                namespace=namespace,
                max_poll_records=500,
                batch=batch,
            )
            started = time.perf_counter()
            await runner.start()
            await all_handled.wait()
            seconds = time.perf_counter() - started
            await runner.stop()
            how = (
                "one transaction per poll, every partition"
                if batch
                else "one transaction per event"
            )
            print(f"consumer + inbox    {2 * n / seconds:8.0f} events/s  ({how}, incl. group join)")

        # A consumer group that handles none of these types (as escalation reads
        # intake's topic for other types): skipped by the record's type header, and
        # before that by parsing each record's envelope (the header ignored).
        for by_header in (False, True):
            await skip_all(
                kafka, namespace, sessionmaker, inbox, producers[0], handle, 2 * n, by_header
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS            {peak:8.0f} MiB")
    finally:
        for p in producers:
            await p.stop()
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await engine.dispose()
        await delete_namespace(kafka, namespace)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    asyncio.run(main(int(args[0]) if args else 20_000, relay_only="--relay-only" in sys.argv))
