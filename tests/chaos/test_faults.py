"""The fault suite (issue 16): signed 12345 tickets arrive at a steady rate while, in
turn, each service is killed with SIGKILL and restarted, PostgreSQL is restarted (fast,
then immediate), the Kafka broker is killed and restarted, escalation is killed again
while its timers fire, and the SMS gateway is down for a while. Then: every accepted
case assigned exactly once, every clock started once, every due timer fired and
announced once (each sign-for clock runs one minute here, tests/chaos/timers.py), one
breach event per clock on the topic, exactly one SMS per assignment and per breach at
the gateway and no message doubled, nothing in any dead-letter topic, every consumer
group's lag back to zero, nothing left in an outbox.

`make test` runs the short form (about three minutes); `make chaos` the long one
(``GRIDCASE_CHAOS=long``), recorded in docs/reliability.md. PostgreSQL and Kafka are
the suite's own (tests/chaos/harness.py), never the shared servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text

from gridcase_events import topics
from gridcase_events.kit import signing
from gridcase_events.kit.db import create_engine
from gridcase_events.testing import HttpSink, bearer
from tests.chaos import timers
from tests.chaos.harness import HOTLINE_SECRET, SERVICES, PrivateKafka, PrivatePostgres, Stack

pytestmark = pytest.mark.chaos

LONG = os.environ.get("GRIDCASE_CHAOS") == "long"


@dataclass(frozen=True)
class Plan:
    rate: float  # tickets a second
    settle: float  # seconds of steady load between faults
    sms_down: float  # seconds the SMS gateway is away
    kafka: bool  # kill and restart the broker too
    rounds: int  # times the whole sequence of faults runs
    converge: float  # seconds allowed, after the last fault, for everything to settle
    wait_each: bool  # wait for a killed service to answer before the next fault
    second_rung: bool  # a ladder rung a minute after the breach (the default's is hours)
    # the last faults (escalation killed while its timers fire, the SMS gateway down)
    # after the last ticket, while its timers come due, rather than under the load
    finale_after_load: bool


SHORT = Plan(
    rate=2.0,
    settle=3.0,
    sms_down=10.0,
    kafka=True,
    rounds=1,
    converge=180.0,
    wait_each=False,
    second_rung=False,
    finale_after_load=True,
)
FULL = Plan(
    rate=2.0,
    settle=15.0,
    sms_down=120.0,
    kafka=True,
    rounds=1,
    converge=900.0,
    wait_each=True,
    second_rung=True,
    finale_after_load=False,
)


@dataclass
class Load:
    """Tickets pushed as the 12345 platform would: each one retried (same ticket number,
    so idempotent) until intake answers 200 or 201."""

    url: Callable[[], str]
    accepted: dict[str, str] = field(default_factory=dict)  # case_id → tracking_no
    tickets: dict[str, str] = field(default_factory=dict)  # ticket_no → case_id
    pushes: Counter[str] = field(default_factory=Counter)  # outcomes of single pushes
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def ticket(self) -> dict[str, Any]:
        return {
            "ticket_no": f"CHAOS-{secrets.token_hex(5)}",
            "received_at": datetime.now(UTC).isoformat(),
            "caller_phone": "13912345678",
            "content": "桂花路1号1栋楼下垃圾桶满溢",
            "category_hint": "environment/garbage-overflow",
            "urgency": "urgent" if secrets.randbelow(4) == 0 else "normal",
            "lat": 29.355,
            "lon": 104.7725,
        }

    async def _push(self, client: httpx.AsyncClient, ticket: dict[str, Any]) -> None:
        body = json.dumps(ticket, ensure_ascii=False).encode()
        while True:
            headers = {
                "Content-Type": "application/json",
                signing.HEADER: signing.sign(HOTLINE_SECRET, body, now=datetime.now(UTC)),
            }
            try:
                answer = await client.post(
                    f"{self.url()}/v1/hotline/tickets", content=body, headers=headers, timeout=10
                )
            except httpx.HTTPError as exc:
                self.pushes[type(exc).__name__] += 1
            else:
                self.pushes[str(answer.status_code)] += 1
                if answer.status_code in (200, 201):
                    created = answer.json()
                    self.accepted[created["case_id"]] = created["tracking_no"]
                    self.tickets[ticket["ticket_no"]] = created["case_id"]
                    return
                if 400 <= answer.status_code < 500:
                    return  # refused for good: not accepted, nothing to prove about it
            await asyncio.sleep(0.5)

    async def run(self, rate: float, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient() as client:
            while not stop.is_set():
                task = asyncio.create_task(self._push(client, self.ticket()))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1 / rate)
            while self._tasks:  # the last tickets still being retried
                await asyncio.gather(*list(self._tasks))


@dataclass
class Step:
    fault: str
    seconds: float  # from the fault until the part answered again


async def _timed(fault: str, action: Callable[[], Awaitable[None]]) -> Step:
    started = time.monotonic()
    await action()
    return Step(fault, time.monotonic() - started)


async def _kill_and_restart(stack: Stack, name: str, *, wait: bool) -> None:
    stack.kill(name)
    stack.start(name)
    if wait:
        await stack.ready(name)


async def _all_ready(stack: Stack) -> None:
    for name in SERVICES:
        await stack.ready(name)


async def _postgres(stack: Stack, postgres: PrivatePostgres, mode: str) -> None:
    await asyncio.to_thread(postgres.restart, mode)
    await _all_ready(stack)


async def _kafka(stack: Stack, kafka: PrivateKafka) -> None:
    kafka.kill()
    await asyncio.sleep(2)
    await asyncio.to_thread(kafka.start)
    for name in SERVICES:
        await stack.ready(name)


async def _kill_escalation_while_timers_fire(stack: Stack) -> None:
    """Waits (a minute at most) until a breach has fired, so that the scheduler is busy
    with due timers, then kills escalation with SIGKILL and starts it again."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):  # PostgreSQL may be coming back
            fired = await _scalar_rows(
                stack.database_url,
                "SELECT count(*) FROM escalation.timers WHERE kind = 'threshold'"
                " AND percent = 100 AND status = 'fired'",
            )
            if fired[0][0]:
                break
        await asyncio.sleep(1)
    await _kill_and_restart(stack, "escalation", wait=True)


async def _chaos_district(stack: Stack, plan: Plan) -> None:
    """Limits short enough for timers to come due during the run (tests/chaos/timers.py),
    set as an administrator would."""
    admin = bearer("admin1", "admin", "510302")
    async with httpx.AsyncClient(base_url=stack.url("escalation"), headers=admin) as client:
        (await client.put("/v1/policies", json=timers.SHORT_LIMITS, timeout=60)).raise_for_status()
        if plan.second_rung:
            (await client.put("/v1/ladder", json=timers.TWO_RUNGS, timeout=60)).raise_for_status()


async def _sms_down(sink: HttpSink, seconds: float) -> None:
    await sink.stop()
    await asyncio.sleep(seconds)  # the outage itself: real time, on purpose
    await sink.start()


@dataclass
class Findings:
    accepted: int = 0
    reported: int = 0
    assigned_once: int = 0
    assigned_other: dict[str, int] = field(default_factory=dict)
    clocks_once: int = 0
    clocks_other: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    sms_once: int = 0
    sms_other: dict[str, int] = field(default_factory=dict)
    sms_requests: int = 0
    sms_cut_off: int = 0
    failed_deliveries: int = 0
    dead_letters: dict[str, int] = field(default_factory=dict)
    lag: int = -1
    groups: int = 0
    unpublished: int = 0
    timers: timers.TimerProof = field(default_factory=timers.TimerProof)
    sms_doubled: dict[str, int] = field(default_factory=dict)  # what it said → keys asked

    def proven(self) -> bool:
        return (
            self.accepted > 0
            and self.reported == self.accepted
            and self.assigned_once == self.accepted
            and self.clocks_once == self.accepted
            and self.sms_once == self.accepted
            and not self.failed_deliveries
            and not any(self.dead_letters.values())
            and self.lag == 0
            and self.groups > 0
            and not self.unpublished
            and self.timers.proven(self.accepted)
            and not self.sms_doubled
        )


async def _scalar_rows(url: str, sql: str) -> list[Any]:
    [rows] = await _snapshot(url, sql)
    return rows


async def _snapshot(url: str, *sqls: str) -> list[list[Any]]:
    """The rows of several queries, all from one snapshot of the database (a timer fired
    between two of them would otherwise look unannounced, or its announcement stray)."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            return [list((await conn.execute(text(sql))).all()) for sql in sqls]
    finally:
        await engine.dispose()


async def _kafka_findings(kafka: str, namespace: str) -> tuple[dict[str, int], int, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await consumer.start()
    await admin.start()
    try:
        names = [*topics.CASE_TOPICS, topics.DIRECTORY]
        dlq = {}
        for name in names:
            topic = topics.qualify(namespace, topics.dlq(name))
            [described] = await admin.describe_topics([topic])
            parts = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
            ends = await consumer.end_offsets(parts) if parts else {}
            dlq[topics.dlq(name)] = sum(ends.values())
        lag = 0
        groups = await admin.list_consumer_groups()
        for group, _ in groups:
            committed = await admin.list_consumer_group_offsets(group)
            ends = await consumer.end_offsets(list(committed))
            lag += sum(max(0, ends[tp] - meta.offset) for tp, meta in committed.items())
        return dlq, lag, len(groups)
    finally:
        await admin.close()
        await consumer.stop()


async def _findings(stack: Stack, load: Load) -> Findings:
    found = Findings(accepted=len(load.accepted))
    url = stack.database_url
    reported = await _scalar_rows(
        url, "SELECT count(*) FROM intake.outbox WHERE event_type = 'case.reported'"
    )
    found.reported = reported[0][0]
    assigned = dict(
        await _scalar_rows(
            url,
            "SELECT key, count(*) FROM dispatch.outbox WHERE event_type = 'case.assigned'"
            " GROUP BY key",
        )
    )
    found.assigned_once = sum(1 for c in load.accepted if assigned.get(c) == 1)
    found.assigned_other = {c: assigned.get(c, 0) for c in load.accepted if assigned.get(c) != 1}
    clocks: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for case_id, kind, count in await _scalar_rows(
        url, "SELECT case_id::text, kind, count(*) FROM escalation.clocks GROUP BY 1, 2"
    ):
        clocks[case_id].append((kind, count))
    for case_id in load.accepted:
        kinds = dict(clocks.get(case_id, []))
        if (
            kinds.get("sign_for") == 1
            and kinds.get("resolution") == 1
            and set(kinds.values()) == {1}
        ):
            found.clocks_once += 1
        else:
            found.clocks_other[case_id] = clocks.get(case_id, [])
    keys: dict[str, set[str]] = defaultdict(set)
    breach_sms: dict[str, set[str]] = defaultdict(set)
    # a request cut off by the gateway's outage (its body never arrived) sent nothing
    requests = [r for r in list(stack.sink.requests) if r.body.startswith(b"{")]
    found.sms_cut_off = len(stack.sink.requests) - len(requests)
    bodies = [request.json() for request in requests]
    for request, body in zip(requests, bodies, strict=True):
        if body.get("template_id") == "GC_CASE_ASSIGNED":
            found.sms_requests += 1
            keys[body["params"]["tracking_no"]].add(request.headers["x-idempotency-key"])
        if body.get("template_id") == "GC_SLA_BREACHED" and body["params"]["clock"] == "sign_for":
            breach_sms[body["params"]["tracking_no"]].add(request.headers["x-idempotency-key"])
    for tracking_no in load.accepted.values():
        if len(keys.get(tracking_no, ())) == 1:
            found.sms_once += 1
        else:
            found.sms_other[tracking_no] = len(keys.get(tracking_no, ()))
    found.sms_doubled = {
        "/".join(what): len(ids) for what, ids in timers.sms_groups(bodies).items() if len(ids) > 1
    }
    found.dead_letters, found.lag, found.groups = await _kafka_findings(
        stack.kafka, stack.namespace
    )
    timer_rows, announcements = await _snapshot(url, timers.TIMERS_SQL, timers.ANNOUNCEMENTS_SQL)
    found.timers = timers.judge(
        timers=[timers.TimerRow(*row) for row in timer_rows],
        announcements=[timers.announcement_key(*row) for row in announcements],
        # the whole topic is read once the consumers have caught up: while they have not,
        # nothing is proven anyway, and the read would slow the gateway sink beside it
        breaches_on_topic=(
            await timers.breaches_on_topic(stack.kafka, stack.namespace) if found.lag == 0 else {}
        ),
        breach_sms=breach_sms,
        accepted=load.accepted,
    )
    failed = await _scalar_rows(
        url, "SELECT count(*) FROM notify.deliveries WHERE status = 'failed'"
    )
    found.failed_deliveries = failed[0][0]
    found.unpublished = 0
    for name in SERVICES:
        rows = await _scalar_rows(url, f"SELECT count(*) FROM {name}.outbox WHERE NOT published")  # noqa: S608 - our schema names
        found.unpublished += rows[0][0]
    return found


def _table(plan: Plan, steps: list[Step], load: Load, found: Findings, took: float) -> str:
    rows = [
        ("run", "long" if LONG else "short", f"{took:.0f} s in all"),
        ("load", f"{plan.rate:g} tickets/s", f"pushes: {dict(load.pushes)}"),
    ]
    rows += [
        (f"fault {i}", s.fault, f"back after {s.seconds:.1f} s") for i, s in enumerate(steps, 1)
    ]
    rows += [
        ("accepted cases", str(found.accepted), f"case.reported written: {found.reported}"),
        ("assigned exactly once", str(found.assigned_once), f"others: {found.assigned_other}"),
        ("clocks started once", str(found.clocks_once), f"others: {found.clocks_other}"),
        (
            "one SMS per assignment",
            str(found.sms_once),
            f"gateway requests: {found.sms_requests} (a repeat carries the same key);"
            f" others: {found.sms_other}; requests cut off by the outage: {found.sms_cut_off}",
        ),
        (
            "due timers fired once",
            str(found.timers.fired_once),
            f"of {found.timers.due} due: {dict(sorted(found.timers.by_label.items()))};"
            f" worst {found.timers.worst_late:.0f} s late; problems {found.timers.problem_count}"
            f" {found.timers.problems}; announcements without a timer {found.timers.stray}",
        ),
        (
            "one breach per clock",
            str(found.timers.breached_once),
            f"sla.breached on the topic; others: {found.timers.breach_other}",
        ),
        (
            "one breach SMS per clock",
            str(found.timers.breach_sms_once),
            f"others: {found.timers.breach_sms_other}",
        ),
        (
            "SMS doubled",
            str(len(found.sms_doubled)),
            f"one message asked for under several keys: {dict(list(found.sms_doubled.items())[:3])}",
        ),
        ("failed deliveries", str(found.failed_deliveries), ""),
        ("dead letters", str(sum(found.dead_letters.values())), str(found.dead_letters)),
        ("consumer lag", str(found.lag), f"all {found.groups} consumer groups"),
        ("unpublished outbox rows", str(found.unpublished), "all services"),
    ]
    width = max(len(r[0]) for r in rows)
    middle = max(len(r[1]) for r in rows)
    return "\n".join(f"{a:<{width}}  {b:>{middle}}  {c}" for a, b, c in rows)


def _workdir() -> Path:
    root = Path(tempfile.mkdtemp(prefix="gridcase-chaos-"))
    root.chmod(0o755)  # PostgreSQL's own user reaches its directory inside
    return root


@pytest.mark.timeout(2400 if LONG else 420)
async def test_nothing_accepted_is_lost_or_doubled_while_every_part_fails_in_turn() -> None:
    plan = FULL if LONG else SHORT
    started = time.monotonic()
    root = _workdir()
    postgres = PrivatePostgres(root / "postgres")
    kafka = PrivateKafka(root / "kafka")
    sink = HttpSink()
    await asyncio.to_thread(postgres.start)
    await asyncio.to_thread(kafka.start)
    await sink.start()
    stack = Stack.of(
        root=root,
        database_url=postgres.url,
        kafka=kafka.bootstrap,
        namespace=f"chaos{secrets.token_hex(3)}.",
        sink=sink,
    )
    stop = asyncio.Event()
    steps: list[Step] = []
    try:
        await stack.start_all()
        await _chaos_district(stack, plan)
        load = Load(url=lambda: stack.url("intake"))
        pushing = asyncio.create_task(load.run(plan.rate, stop))
        faults: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            *[
                (
                    f"SIGKILL {n}" + ("" if plan.wait_each else ", restarted at once"),
                    lambda n=n: _kill_and_restart(stack, n, wait=plan.wait_each),
                )
                for n in SERVICES
            ],
            ("(all four answer again)", lambda: _all_ready(stack)),
            ("PostgreSQL restart, fast", lambda: _postgres(stack, postgres, "fast")),
            ("PostgreSQL restart, immediate", lambda: _postgres(stack, postgres, "immediate")),
            *([("SIGKILL the Kafka broker", lambda: _kafka(stack, kafka))] if plan.kafka else []),
        ]
        finale: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            (
                "SIGKILL escalation, timers firing",
                lambda: _kill_escalation_while_timers_fire(stack),
            ),
            (f"SMS gateway down {plan.sms_down:g} s", lambda: _sms_down(sink, plan.sms_down)),
        ]
        if not plan.finale_after_load:
            faults, finale = faults + finale, []
        await asyncio.sleep(plan.settle)
        for _ in range(plan.rounds):
            for fault, action in faults:
                steps.append(await _timed(fault, action))
                await asyncio.sleep(plan.settle)
        stop.set()
        await pushing
        for fault, action in finale:
            steps.append(await _timed(f"{fault} (load over)", action))
            await asyncio.sleep(plan.settle)

        deadline = time.monotonic() + plan.converge
        found = await _findings(stack, load)
        # dead letters stay: waiting longer cannot prove anything then
        while (
            not found.proven()
            and not any(found.dead_letters.values())
            and time.monotonic() < deadline
        ):
            await asyncio.sleep(3)
            found = await _findings(stack, load)
        table = _table(plan, steps, load, found, time.monotonic() - started)
        print("\n" + table)
        assert found.proven(), f"{table}\n(logs in {root})"
    finally:
        stop.set()
        stack.stop_all()
        await sink.stop()
        await asyncio.to_thread(kafka.stop)
        await asyncio.to_thread(postgres.stop)
