"""The whole pipeline under a fixed offered load: hotline push → `case.assigned` → SMS.

    make bench-e2e BENCH_ARGS="--rate 20 --duration 60"
    .venv/bin/python bench/e2e_load.py --start --grids 64 --rate 50 --duration 60 --one-category
    .venv/bin/python bench/e2e_load.py --intake-url http://127.0.0.1:8001 \\
        --sms-messages-url http://127.0.0.1:8025/sms/messages --rate 20 --duration 60

Two ways to run:
- ``--start``: starts the four services itself as processes on free loopback ports, with
  a database and a topic namespace of their own (as tests/e2e/conftest.py does), an SMS
  sink in a process of its own, and a generated district of ``--grids`` grids imported; all of it
  is removed afterwards (the database dropped, the topics deleted). ``--merge on|off``
  sets ``INTAKE_MERGE_ENABLED``, ``--max-loop-lag-ms`` ``INTAKE_MAX_LOOP_LAG_MS``,
  ``--max-push-age-seconds`` ``INTAKE_MAX_PUSH_AGE_SECONDS`` and
  ``--role-split`` runs each service as an api and a worker process.
- otherwise against a running stack (``make up``): the intake URL, Kafka, topic namespace,
  hotline secret and the SMS sink's message list from options or the environment
  (``GRIDCASE_TOPIC_NAMESPACE``, ``GRIDCASE_HOTLINE_SECRETS``, ``KAFKA_BOOTSTRAP_SERVERS``).
  Merging is then the stack's own setting. Its spots repeat between runs: with merging
  on, run against a fresh stack, or pushes of a later run merge into earlier open cases
  (they are counted as "merged", not as lost).

Pushes are signed tickets sent at a fixed rate for ``--duration`` seconds, open loop (a
slow answer does not delay the next push), each at its own spot on a 150 m lattice (no
two are within the 100 m merge distance) and address; ``--one-category`` makes them all
of one category (the burst of a water main), else they cycle through four. Then it waits
(``--drain`` seconds at most) until every accepted case is assigned and texted, and
prints: intake POST p50/p99, push → `case.assigned` read from Kafka p50/p99, push → SMS
at the sink p50/p99, `case.assigned` → SMS p50/p99 (notify's own stage, apart from
what came before it), cases assigned per second while pushing, lost (accepted, never
assigned), doubled (assigned or texted twice), 503 answers, how soon the connection was
open, intake's own reading of a push's time inside the app (its request histogram at
``/metrics``: the difference to the POST figure is time spent waiting before the app got
to the push), and each service's peak RSS (from /proc). Then whose CPU the pushing
window took, from /proc at its start and its end: a row per service process, the
PostgreSQL backends of the stack's database by the service holding the connection
(found by its local port), the rest of that PostgreSQL cluster (postmaster, walwriter,
checkpointer, autovacuum: shared with whatever else uses it), the Kafka broker (the
process listening on the bootstrap port; shared), the SMS sink and this process (the
load generator, which competes for the same cores); CPU seconds, ms per new case,
share, the total, and what the stack's ms per case allow on this machine's cores. A
process that ended in the window is counted as ended, its CPU after the first sample
lost (pools keep their connections, so it is rare). ``--dump`` writes every push's
times. Each push is sent on a connection of its own by a plain asyncio HTTP/1.1 client
(``post_once``): httpx's pool took the whole core of this process at 30 pushes a second.
``--keep-alive`` reuses idle connections instead, as an integrator's HTTP client pool
does (a push that finds none idle opens another; it prints how many were opened). The
generator runs on uvloop, as the services do. It talks to loopback only and stops by
itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvloop
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stage import (
    CLUSTER_OWN,
    KAFKA,
    REPO,
    CpuWatch,
    Popen,
    cpu_report,
    free_port,
    listening_pid,
    pct,
    ready,
    rss_mib,
    scratch,
    service,
    sms_sink,
    stop,
    tail,
)
from gridcase_events import topics
from gridcase_events.kit import signing
from gridcase_events.kit.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA, DEV_HOTLINE_SECRET

SERVICES = ("intake", "dispatch", "escalation", "notify")
CATEGORIES = (
    "environment/garbage-overflow",
    "neighbour/noise-dispute",
    "safety/fire-hazard",
    "civil/elderly-assistance",
)
# The generated district fills this box, given to intake as INTAKE_DISTRICT_BOUNDS.
WEST, SOUTH, EAST, NORTH = 104.72, 29.30, 104.84, 29.42
SPOT_STEP_DEG = 0.00136  # ~150 m of latitude; ~130 m of longitude at 29.4° N
# When a run has more pushes than that lattice has spots (~7,400: 150/s for 60 s is
# 9,000), a denser one, still beyond the 100 m merge distance: ~105 m either way.
DENSE_STEP_DEG = (0.00095, 0.00108)
TRACKING = re.compile(r"GC-\d{8}-[0-9A-Z]{6}")
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
BENCH = "bench (load generator)"
SINK = "SMS sink (bench)"


# ---- the generated district -----------------------------------------------------


def _box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(code: str, name: str, level: str, parent: str | None, geometry: Any) -> Any:
    props = {"code": code, "name": name, "level": level, "parent_code": parent}
    if level == "grid":
        props["kind"] = "residential"
    return {"type": "Feature", "properties": props, "geometry": geometry}


def district_files(grids: int) -> dict[str, tuple[str, bytes]]:
    """A district of `grids` grids tiling the bounds (one street, a community per 8
    grids), each grid with a leader and an A and a B member; the import kinds' files."""
    cols = max(1, round(grids**0.5))
    rows = -(-grids // cols)
    width, height = (EAST - WEST) / cols, (NORTH - SOUTH) / rows
    features = [
        _feature("510302", "示范区", "district", None, _box(WEST, SOUTH, EAST, NORTH)),
        _feature("510302001", "东城街道", "street", "510302", _box(WEST, SOUTH, EAST, NORTH)),
    ]
    staff = ["staff_id,name,phone,role,area_code,department_code,post"]
    for g in range(grids):
        row, col = divmod(g, cols)
        community = f"510302001{g // 8 + 1:03d}"
        if g % 8 == 0:
            whole = _box(WEST, SOUTH, EAST, NORTH)  # a community's exact shape does not matter
            features.append(
                _feature(community, f"社区{g // 8 + 1}", "community", "510302001", whole)
            )
        grid = f"{community}{g % 8 + 1:03d}"
        west, south = WEST + col * width, SOUTH + row * height
        # The last row and column reach the bounds exactly.
        east = EAST if col == cols - 1 else west + width
        north = NORTH if row == rows - 1 else south + height
        if g == grids - 1 and col < cols - 1:
            east = EAST  # a short last row: its last grid takes the rest of the row
        features.append(
            _feature(grid, f"网格{g + 1}", "grid", community, _box(west, south, east, north))
        )
        phone = 13900000000 + g * 3
        staff += [
            f"bl{g},组长{g},{phone},grid_leader,{grid},,",
            f"bm{g}a,网格员{g}甲,{phone + 1},grid_member,{grid},,A",
            f"bm{g}b,网格员{g}乙,{phone + 2},grid_member,{grid},,B",
        ]
    areas = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return {
        "departments": ("departments.csv", (REPO / "deploy/demo/departments.csv").read_bytes()),
        "areas": ("areas.geojson", areas.encode()),
        "categories": ("categories.csv", (REPO / "deploy/demo/categories.csv").read_bytes()),
        "staff": ("staff.csv", "\n".join(staff).encode() + b"\n"),
    }


# ---- the stack: started here, or given ------------------------------------------


@dataclass
class Stack:
    intake_url: str
    kafka: str
    namespace: str
    hotline_secret: str
    sms_messages_url: str  # the SMS sink's list of what it received
    pids: dict[str, list[int]]
    database_url: str  # of the stack's database: its backends' CPU is counted
    labels: dict[int, str] = field(default_factory=dict)  # pid → its row of CPU
    sms: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    served: dict[str, float] = field(default_factory=dict)  # intake's own histogram
    connections_opened: int = 0  # by the load generator while pushing


@contextlib.asynccontextmanager
async def started_stack(args: argparse.Namespace) -> AsyncIterator[Stack]:
    """The four services as processes with their own database, namespace and SMS sink."""
    async with scratch("bench", partitions=args.partitions) as db:
        sms_port = free_port()
        # The sink runs in a process of its own: in this one, busy pushing, it answered
        # notify late (timeouts, retries) and stamped the messages late.
        sms_url = f"http://127.0.0.1:{sms_port}"
        stack = Stack(
            intake_url="",
            kafka=db.kafka,
            namespace=db.namespace,
            hotline_secret=DEV_HOTLINE_SECRET,
            sms_messages_url=f"{sms_url}/sms/messages",
            pids={},
            database_url=db.database_url,
        )
        logs = Path(args.logs)
        sink = sms_sink(sms_port, log=logs / "sms-sink.log")
        stack.labels[sink.pid] = SINK
        env = db.env(
            GRIDCASE_LOG_LEVEL=args.log_level,
            GRIDCASE_HOTLINE_SECRETS=DEV_HOTLINE_SECRET,
            NOTIFY_SMS_GATEWAY_URL=f"http://127.0.0.1:{sms_port}/sms/send",
            NOTIFY_QUIET_HOURS="",
            # Every assignment's SMS is measured: none folds into a digest of an SMS burst.
            NOTIFY_SMS_BURST_LIMIT="1000000",
            INTAKE_MERGE_ENABLED="true" if args.merge == "on" else "false",
            INTAKE_MAX_LOOP_LAG_MS=str(args.max_loop_lag_ms),
            INTAKE_MAX_PUSH_AGE_SECONDS=str(args.max_push_age_seconds),
            INTAKE_DISTRICT_BOUNDS=f"{WEST},{SOUTH},{EAST},{NORTH}",
        )
        roles = ("api", "worker") if args.role_split else ("all",)
        procs: list[tuple[str, Popen]] = []
        urls: dict[str, str] = {}
        try:
            for name in SERVICES:
                for role in roles:
                    port = free_port()
                    url = f"http://127.0.0.1:{port}"
                    if role != "worker":
                        urls[name] = url
                    proc = service(
                        name,
                        env={**env, f"{name.upper()}_PORT": str(port)},
                        log=logs / f"{name}-{role}.log",
                        argv=["--role", role] if args.role_split else [],
                    )
                    procs.append((url, proc))
                    stack.pids.setdefault(name, []).append(proc.pid)
                    stack.labels[proc.pid] = f"{name} {role}" if args.role_split else name
            async with httpx.AsyncClient() as client:
                await ready(f"{sms_url}/sms/messages", sink, client)
                for url, proc in procs:
                    await ready(f"{url}/readyz", proc, client)
                await import_district(client, urls["dispatch"], args.grids)
            stack.intake_url = urls["intake"]
            print(f"started: {args.grids} grids, merging {args.merge}, logs in {logs}", flush=True)
            print(f"pids: {json.dumps(stack.pids)}", flush=True)  # for a profiler
            yield stack
        finally:
            stop(*(proc for _, proc in procs))
            stop(sink)


async def import_district(client: httpx.AsyncClient, dispatch_url: str, grids: int) -> None:
    from gridcase_events.testing import bearer

    for kind, (file, content) in district_files(grids).items():
        response = await client.post(
            f"{dispatch_url}/v1/directory/import",
            params={"kind": kind},
            files={"file": (file, content)},
            headers=bearer("bench-admin", "admin", "510302"),
            timeout=120,
        )
        if response.status_code != 200:
            raise SystemExit(f"import {kind}: {response.status_code} {response.text}")


def given_stack(args: argparse.Namespace) -> Stack:
    secrets_raw = os.environ.get("GRIDCASE_HOTLINE_SECRETS", DEV_HOTLINE_SECRET)
    pids: dict[str, list[int]] = {}
    for name, url in (
        ("intake", args.intake_url),
        ("dispatch", args.dispatch_url),
        ("escalation", args.escalation_url),
        ("notify", args.notify_url),
    ):
        pid = listening_pid(httpx.URL(url).port or 80)
        if pid is not None:
            pids[name] = [pid]
    return Stack(
        intake_url=args.intake_url,
        kafka=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA),
        namespace=os.environ.get("GRIDCASE_TOPIC_NAMESPACE", ""),
        hotline_secret=secrets_raw.split(",")[0].strip(),
        sms_messages_url=args.sms_messages_url,
        pids=pids,
        database_url=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        labels={pids[0]: name for name, pids in pids.items()},
    )


# ---- the load -------------------------------------------------------------------


@dataclass
class Push:
    ticket_no: str
    sent: float  # time.time() when the POST was sent
    status: int = 0
    answered: float = 0.0
    case_id: str | None = None
    tracking_no: str | None = None
    merged: bool = False
    connected: float = 0.0  # time.time() when the connection was open
    error: str = ""  # why there was no answer


def spots(count: int) -> Iterator[tuple[float, float]]:
    """`count` distinct spots ~150 m apart (~105 m when the district has too few of
    those), row by row over the district; refuses a count the district cannot hold
    (the pushes past its edge would be refused with 422 and measure nothing)."""
    for lat_step, lon_step in ((SPOT_STEP_DEG, SPOT_STEP_DEG), DENSE_STEP_DEG):
        cols = int((EAST - WEST - 0.002) / lon_step)
        rows = int((NORTH - SOUTH - 0.002) / lat_step)
        if cols * rows >= count:
            break
    else:
        raise SystemExit(f"{count} pushes: the district holds {cols * rows} distinct spots")
    for i in range(count):
        row, col = divmod(i, cols)
        yield (
            round(SOUTH + 0.001 + row * lat_step, 6),
            round(WEST + 0.001 + col * lon_step, 6),
        )


def ticket(run: str, i: int, spot: tuple[float, float], one_category: bool) -> dict[str, Any]:
    return {
        "ticket_no": f"BENCH-{run}-{i:07d}",
        "received_at": datetime.now(UTC).isoformat(),
        "caller_name": "市民张先生",
        "caller_phone": "13912345678",
        "content": "楼下垃圾桶满溢三天无人清运，气味很大。",
        "category_hint": CATEGORIES[0] if one_category else CATEGORIES[i % len(CATEGORIES)],
        "address": f"示范区东城街道压测路{run}-{i}号",
        "lat": spot[0],
        "lon": spot[1],
        "urgency": "normal",
    }


class Connections:
    """The load generator's connections to intake. By default each push opens a
    connection of its own and closes it (``Connection: close``): the integrator that
    keeps nothing. With ``keep_alive`` a push takes an idle connection when there is one
    and gives it back after a whole answer, as an integrator's HTTP client pool does; a
    push that finds none idle opens another (open loop: no push waits for a connection).
    """

    def __init__(self, url: httpx.URL, *, keep_alive: bool) -> None:
        self.host, self.port = url.host, url.port
        self.keep_alive = keep_alive
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0

    async def take(
        self, *, fresh: bool = False
    ) -> tuple[tuple[asyncio.StreamReader, asyncio.StreamWriter], bool]:
        """A connection (a new one when `fresh`), and whether it was open before."""
        if self.keep_alive and self.idle and not fresh:
            return self.idle.pop(), True
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port), False

    def give_back(
        self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], *, reusable: bool
    ) -> None:
        if self.keep_alive and reusable and not conn[1].is_closing():
            self.idle.append(conn)
        else:
            conn[1].close()

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def post_once(
    conns: Connections, path: str, body: bytes, headers: dict[str, str], p: Push, timeout: float
) -> tuple[int, bytes]:
    """One HTTP/1.1 POST: status and body. The load generator's client, on purpose this
    lean: httpx spent a core of the benchmark's process on its connection pool at 30
    pushes a second (py-spy), so the POST figures measured the generator more than
    intake (docs/benchmarks.md). A kept-alive connection the server closed meanwhile
    (its idle timeout) fails before any answer: the push is sent again, once, on a new
    one (nothing was read, so nothing was taken in twice; the ticket is idempotent
    anyway)."""
    async with asyncio.timeout(timeout):
        for attempt in range(2):
            conn, reused = await conns.take(fresh=attempt > 0)
            p.connected = time.time()
            try:
                status, answer, keep = await _exchange(conn, conns, path, body, headers)
            except (asyncio.IncompleteReadError, ConnectionError):
                conn[1].close()
                if reused:
                    continue
                raise
            except BaseException:
                conn[1].close()
                raise
            conns.give_back(conn, reusable=keep)
            return status, answer
    raise ConnectionError("a kept-alive connection and a new one both failed")


async def _exchange(
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    conns: Connections,
    path: str,
    body: bytes,
    headers: dict[str, str],
) -> tuple[int, bytes, bool]:
    """Writes the request, reads the answer: status, body, and whether the connection
    may carry another request."""
    reader, writer = conn
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    connection = "keep-alive" if conns.keep_alive else "close"
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: {conns.host}:{conns.port}\r\n{head}"
        f"Content-Length: {len(body)}\r\nConnection: {connection}\r\n\r\n".encode()
        + body
    )
    status_line, _, rest = (await reader.readuntil(b"\r\n\r\n")).partition(b"\r\n")
    fields = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(b":") for line in rest.split(b"\r\n"))
    }
    length = fields.get(b"content-length")
    answer = await (reader.readexactly(int(length)) if length is not None else reader.read())
    keep = length is not None and fields.get(b"connection", b"").lower() != b"close"
    return int(status_line.split()[1]), answer, keep


async def push(
    stack: Stack, conns: Connections, body: dict[str, Any], p: Push, timeout: float
) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        signing.HEADER: signing.sign(stack.hotline_secret, raw, now=datetime.now(UTC)),
    }
    try:
        status, answer = await post_once(conns, "/v1/hotline/tickets", raw, headers, p, timeout)
    except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
        p.status, p.error = -1, type(exc).__name__
    else:
        p.status = status
        if status in (200, 201):
            case = json.loads(answer)
            p.case_id, p.tracking_no = case["case_id"], case["tracking_no"]
            p.merged = case.get("merged_into") is not None
    p.answered = time.time()


async def offer(stack: Stack, args: argparse.Namespace) -> list[Push]:
    """Fixed-rate pushes for the duration (open loop); waits for every answer."""
    run = secrets.token_hex(3)
    where = spots(int(args.rate * args.duration))
    pushes: list[Push] = []
    tasks: list[asyncio.Task[None]] = []
    conns = Connections(httpx.URL(stack.intake_url), keep_alive=args.keep_alive)
    started = time.monotonic()
    for i in range(int(args.rate * args.duration)):
        delay = started + i / args.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        p = Push(f"BENCH-{run}-{i:07d}", time.time())
        pushes.append(p)
        body = ticket(run, i, next(where), args.one_category)
        tasks.append(asyncio.create_task(push(stack, conns, body, p, args.timeout)))
    await asyncio.gather(*tasks)
    conns.close()
    stack.connections_opened = conns.opened
    return pushes


async def served_latency(stack: Stack) -> dict[str, float]:
    """Intake's own reading of how long the pushes it handled took (its request
    histogram, ``/metrics``; bucket bounds, so coarse): the time inside the app, apart
    from the time a push waited to be read and the load generator's own delays. A
    push refused by admission control is not in it."""
    async with httpx.AsyncClient() as client:
        try:
            text = (await client.get(f"{stack.intake_url}/metrics", timeout=30)).text
        except httpx.HTTPError:
            return {}
    buckets: list[tuple[float, float]] = []
    for line in text.splitlines():
        if (
            line.startswith("gridcase_http_request_duration_seconds_bucket{")
            and 'route="/v1/hotline/tickets"' in line
            and 'method="POST"' in line
        ):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((math.inf if bound == "+Inf" else float(bound), float(line.split()[-1])))
    buckets.sort()
    if not buckets or buckets[-1][1] == 0:
        return {}
    total = buckets[-1][1]
    return {
        name: next(b for b, count in buckets if count >= q * total)
        for name, q in (("p50", 0.5), ("p99", 0.99))
    } | {"count": total}


async def watch_assigned(
    stack: Stack, seen: dict[str, list[float]], ready: asyncio.Event, arrived: asyncio.Event
) -> None:
    """Records when each `case.assigned` arrives (from the end of the topic as it was)."""
    async for record in tail(stack.kafka, topics.qualify(stack.namespace, topics.DISPATCH), ready):
        event = json.loads(record.value or b"{}")
        if event.get("type") == "case.assigned":
            seen.setdefault(str(event["data"]["case_id"]), []).append(time.time())
            arrived.set()


class Sampler:
    """Each service's peak RSS, sampled every half second."""

    def __init__(self, pids: dict[str, list[int]]) -> None:
        self.pids = pids
        self.peak: dict[str, float] = dict.fromkeys(pids, 0.0)

    async def run(self) -> None:
        while True:
            for name, pids in self.pids.items():
                for pid in pids:
                    self.peak[name] = max(self.peak[name], rss_mib(pid))
            await asyncio.sleep(0.5)


async def sms_from_sink(stack: Stack) -> None:
    """The development SMS sink lists what it received (`/sms/messages`)."""
    async with httpx.AsyncClient() as client:
        messages = (await client.get(stack.sms_messages_url, timeout=30)).json()
    stack.sms.clear()
    for message in messages:
        at = datetime.fromisoformat(message["received_at"]).timestamp()
        for tracking_no in TRACKING.findall(str(message.get("content") or "")):
            stack.sms.setdefault(tracking_no, []).append((at, str(message["template_id"])))


async def measure(stack: Stack, args: argparse.Namespace) -> None:
    assigned: dict[str, list[float]] = {}
    ready, arrived = asyncio.Event(), asyncio.Event()
    watcher = asyncio.create_task(watch_assigned(stack, assigned, ready, arrived))
    sampler = Sampler(stack.pids)
    sampling = asyncio.create_task(sampler.run())
    await asyncio.wait_for(ready.wait(), 60)
    cpu = cpu_watch(stack)
    cpu.sample()
    began = time.time()
    pushes = await offer(stack, args)
    pushed = time.time()
    cpu.sample()
    stack.served = await served_latency(stack)
    expected = {p.case_id for p in pushes if p.status == 201 and not p.merged and p.case_id}
    tracking = {p.tracking_no for p in pushes if p.case_id in expected}
    deadline = time.monotonic() + args.drain
    while (remaining := deadline - time.monotonic()) > 0:
        await sms_from_sink(stack)
        if expected <= assigned.keys() and tracking <= stack.sms.keys():
            break
        arrived.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(arrived.wait(), min(remaining, 1.0))
    await asyncio.sleep(min(2.0, args.drain))  # doubles arriving just after
    watcher.cancel()
    sampling.cancel()
    await sms_from_sink(stack)
    report(pushes, assigned, stack, sampler, began=began, pushed=pushed, args=args)
    new = [p for p in pushes if p.status == 201 and not p.merged and p.case_id]
    for line in cpu_report(
        *cpu.samples,
        cases=len(new),
        seconds=pushed - began,
        order=cpu_rows(stack),
        apart=(SINK, BENCH),
        cores=os.cpu_count() or 1,
    ):
        print(line)
    done = sum(1 for p in new if p.case_id in assigned and assigned[p.case_id][0] <= pushed)
    if done < 0.9 * len(new):
        print(
            f"  the stack fell behind ({done} of {len(new)} assigned in the window): the work"
            " left after it is not in these rows, so they understate a case's cost"
        )


def cpu_watch(stack: Stack) -> CpuWatch:
    """The processes whose CPU a case takes: the services, the backends of the stack's
    database and the rest of that PostgreSQL cluster, the Kafka broker, and this bench
    (the load generator) with its SMS sink, which compete for the same cores."""
    database = make_url(stack.database_url)
    kafka_port = int(stack.kafka.split(",")[0].rsplit(":", 1)[1])
    return CpuWatch(
        labels={**stack.labels, os.getpid(): BENCH},
        database=database.database or "",
        database_port=database.port or 5432,
        kafka_pid=listening_pid(kafka_port),
    )


def cpu_rows(stack: Stack) -> list[str]:
    """The table's order: each service, the database's backends by whom they serve,
    the shared servers, the bench's own processes."""
    services = [label for label in stack.labels.values() if label != SINK]
    return [
        *services,
        *(f"PostgreSQL for {label}" for label in services),
        "PostgreSQL, other clients",
        CLUSTER_OWN,
        KAFKA,
        SINK,
        BENCH,
    ]


def report(
    pushes: list[Push],
    assigned: dict[str, list[float]],
    stack: Stack,
    sampler: Sampler,
    *,
    began: float,
    pushed: float,
    args: argparse.Namespace,
) -> None:
    statuses = Counter(p.status for p in pushes)
    new = [p for p in pushes if p.status == 201 and not p.merged and p.case_id]
    post = [p.answered - p.sent for p in pushes if p.status > 0]
    refused = [p.answered - p.sent for p in pushes if p.status == 503]
    connect = [p.connected - p.sent for p in pushes if p.connected]
    to_assigned = [assigned[p.case_id][0] - p.sent for p in new if p.case_id in assigned]
    sms_assigned = {
        t: [at for at, template in texts if "assigned" in template.lower()]
        for t, texts in stack.sms.items()
    }
    to_sms = [
        min(sms_assigned[p.tracking_no or ""]) - p.sent
        for p in new
        if sms_assigned.get(p.tracking_no or "")
    ]
    # notify's own stage: from the assignment read on Kafka to its SMS at the sink
    assigned_to_sms = [
        min(sms_assigned[p.tracking_no or ""]) - assigned[p.case_id or ""][0]
        for p in new
        if sms_assigned.get(p.tracking_no or "") and p.case_id in assigned
    ]
    in_window = sum(1 for p in new if p.case_id in assigned and assigned[p.case_id][0] <= pushed)
    lost = sum(1 for p in new if p.case_id not in assigned)
    doubled = sum(1 for p in new if len(assigned.get(p.case_id or "", [])) > 1)
    doubled_sms = sum(1 for p in new if len(sms_assigned.get(p.tracking_no or "", [])) > 1)
    print()
    print(
        f"offered {args.rate}/s for {args.duration} s ({len(pushes)} pushes), "
        f"{'one category' if args.one_category else 'four categories'}, distinct spots"
    )
    print(f"answers: {dict(sorted(statuses.items()))}  (-1: no answer within {args.timeout} s)")
    if errors := Counter(p.error for p in pushes if p.error):
        print(f"  no answer, why: {dict(errors)}")
    if args.dump:
        Path(args.dump).write_text(json.dumps([vars(p) for p in pushes]))
    rows = [
        ("intake POST p50 / p99", f"{pct(post, 0.5)} / {pct(post, 0.99)}"),
        ("push → assigned p50 / p99", f"{pct(to_assigned, 0.5)} / {pct(to_assigned, 0.99)}"),
        ("push → SMS p50 / p99", f"{pct(to_sms, 0.5)} / {pct(to_sms, 0.99)}"),
        (
            "assigned → SMS p50 / p99",
            f"{pct(assigned_to_sms, 0.5)} / {pct(assigned_to_sms, 0.99)}",
        ),
        ("delivered (assigned while pushing)", f"{in_window / max(pushed - began, 1e-9):.1f} /s"),
        ("delivered (all, until drained)", f"{len(to_assigned)} of {len(new)} new cases"),
        ("merged (answered merged_into)", str(sum(p.merged for p in pushes))),
        ("SMS received", f"{len(to_sms)} of {len(new)}"),
        ("lost (accepted, never assigned)", str(lost)),
        ("doubled (assigned twice / texted twice)", f"{doubled} / {doubled_sms}"),
        ("503 (admission control)", str(statuses.get(503, 0))),
        ("503 answered in p50 / p99", f"{pct(refused, 0.5)} / {pct(refused, 0.99)}"),
        ("connected in p50 / p99", f"{pct(connect, 0.5)} / {pct(connect, 0.99)}"),
        (
            "connections opened",
            f"{stack.connections_opened}"
            + (" (kept alive, reused)" if args.keep_alive else " (one a push)"),
        ),
    ]
    if stack.served:
        bounds = [stack.served["p50"], stack.served["p99"]]
        rows.append(
            (
                "inside intake p50 / p99 (≤ bucket)",
                " / ".join("> 10 s" if math.isinf(b) else f"{b * 1000:.0f} ms" for b in bounds),
            )
        )
    rows += [(f"RSS peak {name}", f"{mib:.0f} MB") for name, mib in sampler.peak.items()]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    print(f"  machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--start", action="store_true", help="start the four services here")
    parser.add_argument(
        "--grids", type=int, default=64, help="grids of the generated district (--start)"
    )
    parser.add_argument(
        "--merge", choices=("on", "off"), default="on", help="duplicate merging (--start)"
    )
    parser.add_argument(
        "--role-split", action="store_true", help="api and worker processes (--start)"
    )
    parser.add_argument(
        "--max-loop-lag-ms",
        type=int,
        default=200,
        help="INTAKE_MAX_LOOP_LAG_MS: pushes get 503 while intake's loop runs later (--start)",
    )
    parser.add_argument(
        "--max-push-age-seconds",
        type=int,
        default=0,
        help="INTAKE_MAX_PUSH_AGE_SECONDS: pushes signed longer ago get 503 (--start)",
    )
    parser.add_argument("--partitions", type=int, default=3, help="partitions per topic (--start)")
    parser.add_argument("--log-level", default="WARNING", help="the services' (--start)")
    parser.add_argument("--logs", help="where the services' logs go (--start; a new directory)")
    parser.add_argument(
        "--intake-url", default=os.environ.get("BENCH_INTAKE_URL", "http://127.0.0.1:8001")
    )
    parser.add_argument(
        "--dispatch-url", default=os.environ.get("BENCH_DISPATCH_URL", "http://127.0.0.1:8002")
    )
    parser.add_argument(
        "--escalation-url", default=os.environ.get("BENCH_ESCALATION_URL", "http://127.0.0.1:8003")
    )
    parser.add_argument(
        "--notify-url", default=os.environ.get("BENCH_NOTIFY_URL", "http://127.0.0.1:8004")
    )
    parser.add_argument(
        "--sms-messages-url",
        default=os.environ.get("BENCH_SMS_MESSAGES_URL", "http://127.0.0.1:8025/sms/messages"),
        help="a running stack's SMS sink message list",
    )
    parser.add_argument("--rate", type=float, default=20.0, help="pushes per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of pushing")
    parser.add_argument("--drain", type=float, default=120.0, help="seconds to wait for the rest")
    parser.add_argument("--timeout", type=float, default=60.0, help="a push's answer timeout")
    parser.add_argument("--one-category", action="store_true", help="all pushes of one category")
    parser.add_argument(
        "--keep-alive",
        action="store_true",
        help="reuse idle connections, as an integrator's HTTP client pool does"
        " (default: a connection of its own for each push, closed after it)",
    )
    parser.add_argument("--dump", help="write each push (sent, connected, answered, status) here")
    args = parser.parse_args(argv)
    if args.logs is None:
        args.logs = tempfile.mkdtemp(prefix="gridcase-bench-e2e-")
    Path(args.logs).mkdir(parents=True, exist_ok=True)
    if not args.start:
        for url in (args.intake_url, args.sms_messages_url):
            if httpx.URL(url).host not in LOOPBACK:
                parser.error(f"{url}: loopback only")
    return args


async def main(args: argparse.Namespace) -> None:
    if args.start:
        async with started_stack(args) as stack:
            await measure(stack, args)
    else:
        await measure(given_stack(args), args)


if __name__ == "__main__":
    # uvloop, as the services run: the load generator shares their two cores.
    uvloop.run(main(parse_args()))
