"""How fast intake takes 12345 tickets in, against the real broker and database.

    make bench        (or: .venv/bin/python bench/hotline_intake.py [tickets] [concurrency])
    .venv/bin/python bench/hotline_intake.py --rate 50 --duration 30 --burst-rate 300 --burst-seconds 10

The second form (open loop, "intake alone" of issue 18) starts intake as a process of
its own (``python -m intake``, merging on, its own database and topic namespace) and
offers signed pushes at a fixed rate from this process, each on a connection of its
own, whatever intake answers: first `--rate` a second for `--duration` s, then
`--burst-rate` a second for `--burst-seconds` s. Every ticket is of one category at a
spot of its own (~220 m apart, beyond the merge distance), so every push takes the
merge locks and runs the merge look-up and finds nothing. Prints, per phase, the POST
p50/p99 of the 201s, how many were answered 503 (with how fast), and intake's peak RSS;
its pid is printed for a profiler (``py-spy record -p PID``).

Runs intake in-process (its real lifespan: migrations, outbox relay, consumers) on a
fresh database and topic namespace, then pushes signed tickets over HTTP (in-process
ASGI, so the figures are intake's own cost, not a network's): one at a time, then
`concurrency` at a time, then in batches of 500 (`POST /v1/hotline/tickets:batch`).
Every ticket is at its own spot, so the duplicate-merge search runs and finds nothing.
Prints tickets per second, latency percentiles and the process's peak memory; the
database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stage import free_port, kafka_bootstrap, rss_mib, scratch_database, stop
from gridcase_events.kit import signing
from gridcase_events.kit.clock import SystemClock
from gridcase_events.kit.settings import DEV_HOTLINE_SECRET
from gridcase_events.testing import running
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
    async with scratch_database() as url:
        settings = IntakeSettings(
            env="development",
            database_url=url,
            kafka_bootstrap_servers=kafka_bootstrap(),
            topic_namespace=f"bench{RUN}.",
            district_bounds="104.70,29.28,104.90,29.45",
        )
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
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak RSS: {rss:.0f} MiB; median single-push latency {statistics.median(serial) * 1000:.1f} ms"
    )
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")


# --- open loop: intake as a process of its own, pushes at a fixed rate (issue 18) -----

BOUNDS = (104.70, 29.28, 104.90, 29.45)  # west, south, east, north
SPOT_STEP = 0.002  # degrees: ~220 m north-south, ~195 m east-west, beyond the merge distance


def spot(i: int) -> tuple[float, float]:
    """The i-th distinct spot, row by row over the district (8,000 of them)."""
    west, south, east, _ = BOUNDS
    cols = int((east - west - 0.002) / SPOT_STEP)
    row, col = divmod(i % 8000, cols)
    return round(south + 0.001 + row * SPOT_STEP, 6), round(west + 0.001 + col * SPOT_STEP, 6)


@dataclass
class Answer:
    status: int = 0  # -1: no answer (why in `error`)
    seconds: float = 0.0
    error: str = ""


async def post_once(host: str, port: int, body: bytes, timeout: float) -> Answer:
    """One signed POST on a connection of its own (HTTP/1.1, Connection: close): the
    generator kept this lean so that its own cost does not show as intake's."""
    headers = signed(body)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (
        f"POST /v1/hotline/tickets HTTP/1.1\r\nHost: {host}:{port}\r\n{head}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(request)
                status_line = await reader.readline()
                await reader.read()  # to the end: the answer is complete when it closes
            finally:
                writer.close()
    except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
        return Answer(-1, time.perf_counter() - started, type(exc).__name__)
    return Answer(int(status_line.split()[1]), time.perf_counter() - started)


async def offer(
    host: str, port: int, *, first: int, rate: float, seconds: float, timeout: float
) -> list[Answer]:
    """`rate` pushes a second for `seconds`, each sent on time whatever came before."""
    tasks: list[asyncio.Task[Answer]] = []
    started = time.monotonic()
    for k in range(int(rate * seconds)):
        delay = started + k / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        i = first + k
        lat, lon = spot(i)
        body = json.dumps(
            {**ticket(i), "lat": lat, "lon": lon, "address": f"示范区东城街道压测路{RUN}-{i}号"},
            ensure_ascii=False,
        ).encode()
        tasks.append(asyncio.create_task(post_once(host, port, body, timeout)))
    return list(await asyncio.gather(*tasks))


def summary(name: str, answers: list[Answer], rss: float) -> str:
    taken = [a.seconds for a in answers if a.status in (200, 201)]
    refused = [a.seconds for a in answers if a.status == 503]
    other = Counter(a.status if a.status != -1 else a.error for a in answers)
    other.pop(201, None)
    other.pop(503, None)
    line = f"{name}: {len(answers)} pushes, {len(taken)} × 201"
    if taken:
        line += f" (p50 {pct(taken, 0.5):.0f} ms, p99 {pct(taken, 0.99):.0f} ms)"
    line += f", {len(refused)} × 503"
    if refused:
        line += f" (p50 {pct(refused, 0.5):.0f} ms, p99 {pct(refused, 0.99):.0f} ms)"
    if other:
        line += f", other {dict(other)}"
    return line + f"; intake RSS {rss:.0f} MiB"


async def started_intake(
    url: str, namespace: str, role: str
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **os.environ,
        "GRIDCASE_ENV": "development",
        "GRIDCASE_LOG_LEVEL": os.environ.get("GRIDCASE_LOG_LEVEL", "WARNING"),
        "DATABASE_URL": url,
        "GRIDCASE_TOPIC_NAMESPACE": namespace,
        "GRIDCASE_HOTLINE_SECRETS": DEV_HOTLINE_SECRET,
        "INTAKE_MERGE_ENABLED": "true",
        "INTAKE_DISTRICT_BOUNDS": ",".join(map(str, BOUNDS)),
        "INTAKE_PORT": str(port),
    }
    proc = subprocess.Popen(  # noqa: S603, ASYNC220 - our own interpreter; returns at once
        [sys.executable, "-m", "intake", *(["--role", role] if role != "all" else [])], env=env
    )
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"intake exited: {proc.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.1)
    return proc, port


async def open_loop(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="signed pushes at a fixed rate")
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--burst-rate", type=float, default=300)
    parser.add_argument("--burst-seconds", type=float, default=10)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--role", default="all", choices=("all", "api"))
    args = parser.parse_args(argv)
    async with scratch_database() as url:
        await pushed_open_loop(url, args)
    print(
        f"load average {os.getloadavg()[0]:.1f}; {os.cpu_count()} CPUs, {platform.python_version()}"
    )


async def pushed_open_loop(url: str, args: argparse.Namespace) -> None:
    proc, port = await started_intake(url, f"bench{RUN}.", args.role)
    try:
        print(f"intake pid {proc.pid} on port {port} (role {args.role})", flush=True)
        await offer("127.0.0.1", port, first=0, rate=5, seconds=2, timeout=args.timeout)  # warm
        steady = await offer(
            "127.0.0.1", port, first=10, rate=args.rate, seconds=args.duration, timeout=args.timeout
        )
        print(
            summary(
                f"{args.rate:g}/s for {args.duration:g} s", steady, rss_mib(proc.pid, peak=True)
            )
        )
        burst = await offer(
            "127.0.0.1",
            port,
            first=10 + len(steady),
            rate=args.burst_rate,
            seconds=args.burst_seconds,
            timeout=args.timeout,
        )
        print(
            summary(
                f"burst {args.burst_rate:g}/s for {args.burst_seconds:g} s",
                burst,
                rss_mib(proc.pid, peak=True),
            )
        )
    finally:
        stop(proc)


if __name__ == "__main__":
    if any(arg.startswith("--") for arg in sys.argv[1:]):
        asyncio.run(open_loop(sys.argv[1:]))
    else:
        asyncio.run(
            main(
                int(sys.argv[1]) if len(sys.argv) > 1 else 1000,
                int(sys.argv[2]) if len(sys.argv) > 2 else 20,
            )
        )
