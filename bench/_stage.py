"""What the stage benches share: a service started as a process of its own on a scratch
database and topic namespace (removed afterwards), the figures read from /proc (CPU
time, RSS), the percentiles and the rows they print; and, for the whole pipeline, whose
CPU a run took: every process that does the work, found in /proc and sampled at the
start and the end of a window (`CpuWatch`, `cpu_report`).

A bench imports it as ``bench._stage`` (the repository's root put on ``sys.path`` first,
as a script's own folder is what Python puts there).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from gridcase_events import envelope, topics
from gridcase_events.kit.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA

Popen = subprocess.Popen[bytes]
REPO = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SMS_SINK = """
import sys, uvicorn
from gridcase_cli.smssink import create_sms_sink_app
uvicorn.run(create_sms_sink_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


# ---- figures and rows -----------------------------------------------------------


def pct(values: list[float], q: float) -> str:
    """The q-quantile of seconds, in ms under a second, else in s; "-" for none."""
    if not values:
        return "-"
    ordered = sorted(values)
    v = ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.1f} s"


def rss_mib(pid: int, *, peak: bool = False) -> float:
    """The process's resident set now (VmRSS), or its peak (VmHWM), in MiB; 0 if gone."""
    key = "VmHWM:" if peak else "VmRSS:"
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """The process's user and system CPU time so far (/proc/PID/stat); 0 if gone."""
    with contextlib.suppress(OSError):
        return parse_stat(Path(f"/proc/{pid}/stat").read_text()).ticks / CLOCK_TICKS
    return 0.0


def print_rows(rows: Sequence[tuple[str, str]], width: int | None = None) -> None:
    """Label and value a line, the labels padded to `width` (else to the longest)."""
    width = width if width is not None else max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def print_machine(*, five_minutes: bool = False) -> None:
    """The machine's CPUs and load average (the last minute's, and the five minutes')."""
    load = os.getloadavg()
    average = f"{load[0]:.1f} / {load[1]:.1f}" if five_minutes else f"{load[0]:.1f}"
    print(f"  machine: {os.cpu_count()} CPUs, load average {average} at the end")


# ---- a scratch database and topic namespace, services as processes ---------------


@dataclass(frozen=True)
class Scratch:
    """A database and a topic namespace of a run's own."""

    kafka: str
    database_url: str
    namespace: str

    def env(self, **extra: str) -> dict[str, str]:
        """This environment for a service process on the scratch database and namespace."""
        return {
            **os.environ,
            "GRIDCASE_ENV": "development",
            "DATABASE_URL": self.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka,
            "GRIDCASE_TOPIC_NAMESPACE": self.namespace,
            **extra,
        }


def kafka_bootstrap() -> str:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA)


@contextlib.asynccontextmanager
async def scratch_database() -> AsyncIterator[str]:
    """A new database on the server of ``DATABASE_URL`` (its URL), dropped afterwards."""
    from gridcase_events.testing import Servers, _create_database, _drop_database

    servers = Servers(
        kafka_bootstrap(), os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), "environment"
    )
    database_url, admin_dsn = await _create_database(servers)
    try:
        yield database_url
    finally:
        await _drop_database(database_url, admin_dsn)


async def delete_namespace(kafka: str, namespace: str) -> None:
    """Deletes every topic of the namespace (what it cannot, it leaves)."""
    from gridcase_events.testing import _delete_namespace

    await _delete_namespace(kafka, namespace)


@contextlib.asynccontextmanager
async def scratch(prefix: str, *, partitions: int) -> AsyncIterator[Scratch]:
    """A scratch database and the platform's topics under a new namespace
    (``<prefix><8 hex>.``), both removed afterwards."""
    kafka = kafka_bootstrap()
    async with scratch_database() as database_url:
        namespace = f"{prefix}{secrets.token_hex(4)}."
        try:
            await topics.ensure(kafka, namespace=namespace, partitions=partitions)
            yield Scratch(kafka, database_url, namespace)
        finally:
            await delete_namespace(kafka, namespace)


def free_port() -> int:
    from gridcase_events.testing import free_port as free

    return free()


def spawn(argv: Sequence[str], *, log: Path, env: Mapping[str, str] | None = None) -> Popen:
    """A process of ours, its output to `log`; returns at once."""
    with log.open("wb") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def service(name: str, *, env: Mapping[str, str], log: Path, argv: Sequence[str] = ()) -> Popen:
    """``python -m <name>`` (a service) with this interpreter."""
    return spawn([sys.executable, "-m", name, *argv], log=log, env=env)


def sms_sink(port: int, *, log: Path) -> Popen:
    """The development SMS sink on a loopback port, in a process of its own."""
    return spawn([sys.executable, "-c", SMS_SINK, str(port)], log=log)


def stop(*procs: Popen, timeout: float = 30.0) -> None:
    """SIGTERM to each, then waits; one that outlives `timeout` is killed."""
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def ready(url: str, proc: Popen, client: httpx.AsyncClient | None = None) -> None:
    """Waits (two minutes at most) until `url` answers 200; stops if `proc` exits."""
    async with contextlib.AsyncExitStack() as stack:
        if client is None:
            client = await stack.enter_async_context(httpx.AsyncClient())
        for _ in range(1200):
            if proc.poll() is not None:
                raise SystemExit(f"{url}: exited (see its log)")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url, timeout=2)).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise SystemExit(f"{url} not ready")


@dataclass(frozen=True)
class Stage:
    """One service running on a scratch database and namespace, and a producer to feed it."""

    db: Scratch
    url: str
    proc: Popen
    producer: Any


@contextlib.asynccontextmanager
async def one_service(
    name: str, *, partitions: int, logs: Path, env: Mapping[str, str] | None = None
) -> AsyncIterator[Stage]:
    """`name` (a service) as a process of its own on a scratch database and topic
    namespace (``<initial>bench<8 hex>.``), ready, with a started producer; prints its
    pid (for a profiler) and stops everything afterwards. `env` adds to or overrides the
    service's environment (``GRIDCASE_LOG_LEVEL`` is WARNING unless given)."""
    from gridcase_events.producer import create_producer

    async with scratch(f"{name[0]}bench", partitions=partitions) as db:
        port = free_port()
        extra = {"GRIDCASE_LOG_LEVEL": "WARNING", **(env or {}), f"{name.upper()}_PORT": str(port)}
        url = f"http://127.0.0.1:{port}"
        proc = service(name, env=db.env(**extra), log=logs / f"{name}.log")
        producer = create_producer(db.kafka, client_id=f"bench-{name}")
        try:
            await ready(f"{url}/readyz", proc)
            await producer.start()
            print(f"{name} pid {proc.pid}, logs in {logs}", flush=True)
            yield Stage(db, url, proc, producer)
        finally:
            await producer.stop()
            stop(proc)


def stage_parser(doc: str | None, *, unit: str, drain: float) -> argparse.ArgumentParser:
    """The options every stage bench takes: rate, duration, drain, partitions, logs."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=50.0, help=f"{unit} per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of publishing")
    parser.add_argument("--drain", type=float, default=drain, help="seconds to wait for the rest")
    parser.add_argument("--partitions", type=int, default=3, help="partitions per topic")
    parser.add_argument("--logs", help="where the processes' logs go (a new directory)")
    return parser


def parse_stage_args(parser: argparse.ArgumentParser, name: str) -> argparse.Namespace:
    """The parsed options, ``args.logs`` a directory that exists (a new one if not given)."""
    args = parser.parse_args()
    args.logs = Path(args.logs or tempfile.mkdtemp(prefix=f"gridcase-bench-{name}-"))
    args.logs.mkdir(parents=True, exist_ok=True)
    return args


# ---- events in and out ----------------------------------------------------------


async def publish(
    producer: Any, namespace: str, topic: str, payload: Any, *, source: str, tenant: str
) -> None:
    """An event as a service's outbox relay publishes it: keyed by the case, with the
    type header."""
    event = envelope.build(
        payload,
        subject=str(payload.case_id),
        source=source,
        tenant=tenant,
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


async def tail(kafka: str, topic: str, ready_: asyncio.Event) -> AsyncIterator[Any]:
    """The records put on `topic` from the moment `ready_` is set (from the end of
    each partition as it was then), in no consumer group."""
    consumer = AIOKafkaConsumer(
        topic,
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
            yield record
    finally:
        await consumer.stop()


# ---- whose CPU: every process that does the work, from /proc ---------------------

# A backend's title: "postgres: [cluster: ]user database host(port) activity".
BACKEND = re.compile(
    r"^postgres: (?:(?P<cluster>.+?): )?(?P<user>\S+) (?P<db>\S+) "
    r"(?P<host>\[local\]|\S+?\((?P<port>\d+)\))(?: |$)"
)
CLUSTER_OWN = "PostgreSQL, the cluster's own (shared)"
KAFKA = "Kafka broker (shared)"


@dataclass(frozen=True)
class Stat:
    ppid: int
    started: int  # clock ticks after boot: a pid used again is another process
    ticks: int  # user + system CPU time so far


def parse_stat(text: str) -> Stat:
    """/proc/PID/stat: the name in parentheses may hold spaces and parentheses, so
    the fields are counted after its last ")"; field 4 is ppid, 14 and 15 utime and
    stime, 22 starttime."""
    fields = text.rsplit(")", 1)[1].split()
    return Stat(
        ppid=int(fields[1]), started=int(fields[19]), ticks=int(fields[11]) + int(fields[12])
    )


@dataclass(frozen=True)
class Proc:
    pid: int
    stat: Stat
    cmdline: str  # the arguments joined by spaces (a postgres process's title)


def read_procs(root: Path = Path("/proc")) -> dict[int, Proc]:
    """Every process this one may read; those that end while it reads are left out."""
    procs: dict[int, Proc] = {}
    for entry in root.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = parse_stat((entry / "stat").read_text())
            raw = (entry / "cmdline").read_bytes()
            cmdline = raw.replace(b"\0", b" ").decode(errors="replace").strip()
            procs[int(entry.name)] = Proc(int(entry.name), stat, cmdline)
    return procs


def socket_inodes(pid: int, root: Path = Path("/proc")) -> set[str]:
    """The inodes of the process's sockets (its fds' links ``socket:[N]``)."""
    inodes: set[str] = set()
    with contextlib.suppress(OSError):
        for fd in (root / str(pid) / "fd").iterdir():
            with contextlib.suppress(OSError):
                link = os.readlink(fd)
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
    return inodes


def local_ports(tcp_tables: Iterable[str], inodes: set[str], remote_port: int) -> set[int]:
    """From /proc/net/tcp{,6} text: the local ports of the connections to
    `remote_port` whose socket is one of `inodes` (the client side's ports)."""
    ports: set[int] = set()
    for table in tcp_tables:
        for line in table.splitlines()[1:]:
            parts = line.split()
            if len(parts) < 10 or parts[9] not in inodes:
                continue
            if int(parts[2].rsplit(":", 1)[1], 16) == remote_port:
                ports.add(int(parts[1].rsplit(":", 1)[1], 16))
    return ports


def client_ports(pids: Mapping[int, str], database_port: int) -> dict[int, str]:
    """Which of `pids` (pid → its row) holds each connection to the database's port."""
    tables = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            tables.append(Path(table).read_text())
    owners: dict[int, str] = {}
    for pid, label in pids.items():
        for port in local_ports(tables, socket_inodes(pid), database_port):
            owners[port] = label
    return owners


def attribute(
    procs: Mapping[int, Proc],
    *,
    labels: Mapping[int, str],
    database: str,
    kafka_pid: int | None,
    owners: Mapping[int, str],
) -> dict[int, str]:
    """pid → the row its CPU goes to: the processes named in `labels` (the services,
    this bench); the PostgreSQL backends of `database`, by the client that holds the
    connection (`owners`: its local port → row), ``PostgreSQL for <row>``; the rest of
    that cluster (the postmaster and its other children: walwriter, checkpointer,
    autovacuum, other databases' backends are NOT counted) as its own, shared row;
    the Kafka broker. Other processes are left out."""
    rows: dict[int, str] = {pid: label for pid, label in labels.items() if pid in procs}
    postmasters: set[int] = set()
    for pid, proc in procs.items():
        match = BACKEND.match(proc.cmdline)
        if match is None or match["db"] != database:
            continue
        postmasters.add(proc.stat.ppid)
        owner = owners.get(int(match["port"] or 0))
        rows[pid] = f"PostgreSQL for {owner}" if owner else "PostgreSQL, other clients"
    for pid, proc in procs.items():
        if pid in postmasters or (
            proc.stat.ppid in postmasters and BACKEND.match(proc.cmdline) is None
        ):
            rows[pid] = CLUSTER_OWN
    if kafka_pid is not None and kafka_pid in procs:
        rows[kafka_pid] = KAFKA
    return rows


@dataclass
class Usage:
    seconds: float = 0.0
    processes: int = 0
    exited: int = 0  # seen at the start, gone at the end: CPU after the start not counted


@dataclass
class CpuSample:
    procs: dict[int, Proc]
    rows: dict[int, str]
    busy: int = 0  # the whole machine's busy ticks (/proc/stat), all CPUs
    at: float = 0.0  # time.monotonic() when /proc/stat was read


def usage(before: CpuSample, after: CpuSample) -> dict[str, Usage]:
    """Each row's CPU between two samples. A process in both counts its difference; one
    that began between them counts all its time; one that ended between them (or whose
    pid another process took) is counted as exited, its time after the first sample
    lost (a pool keeps its connections, so this is rare; the count says how rare)."""
    rows: dict[str, Usage] = {}
    for pid, label in after.rows.items():
        now = after.procs[pid].stat
        was = before.procs.get(pid)
        same = was is not None and was.stat.started == now.started
        row = rows.setdefault(label, Usage())
        row.seconds += (now.ticks - (was.stat.ticks if same and was else 0)) / CLOCK_TICKS
        row.processes += 1
    for pid, label in before.rows.items():
        now_proc = after.procs.get(pid)
        if now_proc is None or now_proc.stat.started != before.procs[pid].stat.started:
            rows.setdefault(label, Usage()).exited += 1
    return rows


def machine_busy_ticks(text: str) -> int:
    """/proc/stat's first line: all CPUs' user, nice, system, irq and softirq ticks (not
    idle, iowait, nor steal: the time a virtual machine's host kept its CPUs from it)."""
    ticks = [int(v) for v in text.splitlines()[0].split()[1:]]
    return sum(ticks[i] for i in (0, 1, 2, 5, 6) if i < len(ticks))


@dataclass
class CpuWatch:
    """What to sample: the processes by row, the stack's database, the broker's pid."""

    labels: dict[int, str]
    database: str
    database_port: int
    kafka_pid: int | None
    samples: list[CpuSample] = field(default_factory=list)

    def sample(self) -> None:
        procs = read_procs()
        owners = client_ports(self.labels, self.database_port)
        rows = attribute(
            procs,
            labels=self.labels,
            database=self.database,
            kafka_pid=self.kafka_pid,
            owners=owners,
        )
        busy = machine_busy_ticks(Path("/proc/stat").read_text())
        self.samples.append(CpuSample(procs, rows, busy, time.monotonic()))


def listening_pid(port: int) -> int | None:
    """The process listening on a loopback TCP port (from /proc, Linux only)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(parts[9])
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and socket_inodes(int(proc.name)) & inodes:
            return int(proc.name)
    return None


def cpu_report(
    before: CpuSample,
    after: CpuSample,
    *,
    cases: int,
    seconds: float,
    order: Sequence[str],
    apart: Sequence[str],
    cores: int,
) -> list[str]:
    """The lines of whose CPU the window took: a row per process (or per group of
    backends), CPU seconds, ms per case, share of the total; the total, and the stack's
    (without the rows `apart`: the bench's own) with what that allows on `cores`; the
    processes that ended in the window; the whole machine's busy time beside it."""
    rows = usage(before, after)
    total = sum(u.seconds for u in rows.values())
    ranked = [r for r in order if r in rows] + sorted(r for r in rows if r not in order)
    per_case = 1000 / max(cases, 1)
    table = [("process", "n", "CPU s", "ms/case", "share")]
    for label in ranked:
        u = rows[label]
        share = f"{u.seconds / total:.0%}" if total else "-"
        table.append(
            (label, str(u.processes), f"{u.seconds:.1f}", f"{u.seconds * per_case:.2f}", share)
        )
    table.append(("total", "", f"{total:.1f}", f"{total * per_case:.2f}", "100%"))
    width = max(len(r[0]) for r in table)
    lines = [
        f"CPU in the pushing window ({seconds:.1f} s, /proc at its start and end), "
        f"per new case accepted in it ({cases}); n: processes:"
    ]
    lines += [f"  {a:<{width}}  {n:>3}  {c:>6}  {m:>8}  {s:>5}" for a, n, c, m, s in table]
    stack = sum(u.seconds for label, u in rows.items() if label not in apart) * per_case
    lines.append(
        f"  the stack alone (without {' and '.join(apart)}): {stack:.2f} ms per case. "
        f"At N ms per case {cores} cores give at most {cores * 1000}/N cases/s: "
        f"{max_rate(stack, cores)} (with the bench's own {max_rate(total * per_case, cores)})"
    )
    exited = {label: u.exited for label, u in rows.items() if u.exited}
    lines.append(
        "  ended in the window (their CPU after its start not counted): "
        + (", ".join(f"{label} {n}" for label, n in sorted(exited.items())) or "none")
    )
    busy = (after.busy - before.busy) / CLOCK_TICKS
    between = after.at - before.at if after.at > before.at else seconds
    lines.append(
        f"  whole machine busy {busy:.1f} s of {cores * between:.1f} s "
        f"({cores} CPUs); the rows above {total:.1f} s, other processes {busy - total:.1f} s"
    )
    return lines


def max_rate(ms_per_case: float, cores: int) -> str:
    """What CPU alone allows: cores × 1000 ms a second, over the ms a case takes."""
    if ms_per_case <= 0:
        return "-"
    return f"{cores * 1000 / ms_per_case:.0f} cases/s"
