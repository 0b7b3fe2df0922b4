"""The fault suite's proof about escalation's durable timers: every timer that came due
fired, and produced its announcement (``sla.warning``, ``sla.breached``,
``case.escalated``) exactly once, however often escalation was killed and PostgreSQL
restarted meanwhile; every clock's breach reached the escalation topic once and its
assignee once by SMS.

The chaos district gives the sign-for clock a one-minute limit (``SHORT_LIMITS``), so
its warnings (50%, 80%), its breach and the first rung of the ladder come due while the
faults happen; the long run adds a second rung a minute after the breach. Time is the
real clock here on purpose: the services run as processes, and the scheduler's late
timers after a kill are part of what is proven.

The verdict (:func:`judge`) is a pure function of rows, so that its own tests can show
that a doubled or a lost announcement fails it (tests/chaos/test_timers.py).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from gridcase_events import topics

# The chaos district's limits (PUT /v1/policies): every sign-for clock runs one minute.
SHORT_LIMITS = [
    {
        "category_code": "*",
        "priority": priority,
        "clock": "sign_for",
        "amount": 1,
        "unit": "minutes",
    }
    for priority in ("urgent", "normal")
]
# The long run's ladder (PUT /v1/ladder): the grid leader at the breach, the station
# master a minute later.
TWO_RUNGS = [
    {"unit": "grid", "level": 1, "role": "grid_leader", "delay_minutes": 0},
    {"unit": "grid", "level": 2, "role": "station_master", "delay_minutes": 1},
]
GRACE_SECONDS = 5  # a timer due less long ago may still be on its way (one poll or two)

# One announcement: case, clock kind, clock generation, what ("threshold", "escalation",
# "urge") and which (percent, rung, reminder).
Key = tuple[str, str, int, str, int]

TIMERS_SQL = f"""
SELECT t.case_id::text, c.kind, c.generation, t.kind, t.percent, t.level, t.status,
       t.due_at <= now() - interval '{GRACE_SECONDS} seconds' AS due,
       t.fired_at < t.due_at AS early, coalesce(t.late_seconds, 0),
       c.status = 'running' AND t.epoch = c.epoch AS announces
FROM escalation.timers t JOIN escalation.clocks c ON c.id = t.clock_id
"""  # noqa: S608 - a constant
ANNOUNCEMENTS_SQL = """
SELECT key, event_type, payload->'data'->>'clock', (payload->'data'->>'generation')::int,
       coalesce((payload->'data'->>'percent')::int, 100),
       coalesce((payload->'data'->>'level')::int, 0),
       coalesce((payload->'data'->>'urge')::int, 0)
FROM escalation.outbox
WHERE event_type IN ('sla.warning', 'sla.breached', 'case.escalated')
"""


@dataclass(frozen=True)
class TimerRow:
    case_id: str
    clock: str
    generation: int
    kind: str  # threshold, escalation, urge, supervision
    percent: int
    level: int
    status: str  # pending, fired, cancelled
    due: bool  # due at least GRACE_SECONDS ago
    early: bool  # fired before its due time
    late_seconds: float
    announces: bool  # its clock still runs in its epoch: firing it announces something

    def key(self) -> Key:
        which = self.percent if self.kind == "threshold" else self.level
        return (self.case_id, self.clock, self.generation, self.kind, which)

    def label(self) -> str:
        if self.kind == "threshold":
            return "breach" if self.percent == 100 else f"warning {self.percent}%"
        if self.kind == "escalation":
            return f"rung {self.level}"
        return f"{self.kind} {self.level}"


def announcement_key(
    case_id: str, event_type: str, clock: str, generation: int, percent: int, level: int, urge: int
) -> Key:
    """The timer an event of escalation's outbox announces."""
    if event_type == "case.escalated":
        return (case_id, clock, generation, "urge", urge) if urge else (
            case_id, clock, generation, "escalation", level,
        )  # fmt: skip
    return (case_id, clock, generation, "threshold", percent)


@dataclass
class TimerProof:
    due: int = 0  # timers due (by GRACE_SECONDS at least)
    fired_once: int = 0  # of them: fired, not early, announced exactly once (if at all)
    by_label: Counter[str] = field(default_factory=Counter)  # fired once, by what they were
    problems: dict[str, str] = field(default_factory=dict)  # a few of what is wrong
    problem_count: int = 0
    stray: int = 0  # announcements no fired timer accounts for
    worst_late: float = 0.0  # seconds: how late the latest-firing timer was
    breached_once: int = 0  # accepted cases whose sign-for breach is on the topic once
    breach_other: dict[str, int] = field(default_factory=dict)
    breach_sms_once: int = 0  # accepted cases whose assignee got one breach SMS
    breach_sms_other: dict[str, int] = field(default_factory=dict)

    def proven(self, accepted: int) -> bool:
        return (
            self.due > 0
            and self.fired_once == self.due
            and not self.problem_count
            and not self.stray
            and self.breached_once == accepted
            and self.breach_sms_once == accepted
        )

    def _problem(self, key: Key, what: str) -> None:
        self.problem_count += 1
        if len(self.problems) < 5:
            self.problems[":".join(map(str, key))] = what


def judge(
    *,
    timers: Iterable[TimerRow],
    announcements: Iterable[Key],
    breaches_on_topic: dict[tuple[str, str], set[str]],
    breach_sms: dict[str, set[str]],
    accepted: dict[str, str],
) -> TimerProof:
    """The verdict. `announcements`: one key per event in escalation's outbox;
    `breaches_on_topic`: (case, clock) → the distinct ids of its ``sla.breached``
    events on the topic; `breach_sms`: tracking number → the distinct idempotency keys
    of its breach SMS at the gateway; `accepted`: case id → tracking number."""
    proof = TimerProof()
    told = Counter(announcements)
    explained: set[Key] = set()
    for timer in timers:
        key = timer.key()
        if timer.status == "fired" and timer.announces:
            explained.add(key)
        if not timer.due:
            continue
        proof.due += 1
        expected = 1 if timer.announces and timer.kind != "supervision" else 0
        if timer.status != "fired":
            proof._problem(key, f"due but {timer.status}")
        elif timer.early:
            proof._problem(key, "fired before it was due")
        elif expected and told[key] != expected:
            proof._problem(key, f"announced {told[key]} times")
        else:
            proof.fired_once += 1
            proof.by_label[timer.label()] += 1
            proof.worst_late = max(proof.worst_late, timer.late_seconds)
    proof.stray = sum(n for key, n in told.items() if key not in explained)
    for case_id, tracking_no in accepted.items():
        ids = breaches_on_topic.get((case_id, "sign_for"), set())
        if len(ids) == 1:
            proof.breached_once += 1
        else:
            proof.breach_other[tracking_no] = len(ids)
        keys = breach_sms.get(tracking_no, set())
        if len(keys) == 1:
            proof.breach_sms_once += 1
        else:
            proof.breach_sms_other[tracking_no] = len(keys)
    return proof


def sms_groups(requests: Iterable[dict[str, Any]]) -> dict[tuple[str, ...], set[str]]:
    """Every SMS the gateway was asked for, by what it says to whom (phone, template,
    tracking number, clock, percent, rung, reminder) → the idempotency keys asked with.
    One message a person should get once has one key; a repeat after a crash carries
    the same key, an event announced twice a second one."""
    groups: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for body in requests:
        params = body.get("params", {})
        what = (
            str(body.get("phone")),
            str(body.get("template_id")),
            *(str(params.get(p, "")) for p in ("tracking_no", "clock", "percent", "level", "urge")),
        )
        groups[what].add(str(body.get("out_id")))
    return groups


async def breaches_on_topic(kafka: str, namespace: str) -> dict[tuple[str, str], set[str]]:
    """(case, clock) → the ids of the ``sla.breached`` events on escalation's topic,
    read from its beginning to its end (a relay's repeat carries the same id)."""
    topic = topics.qualify(namespace, topics.ESCALATION)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    parts = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
    await consumer.start()
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    try:
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batches = await consumer.getmany(*parts, timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    if record.value is None:
                        continue
                    event = json.loads(record.value)
                    if event.get("type") == "sla.breached":
                        key = (str(event["data"]["case_id"]), str(event["data"]["clock"]))
                        found[key].add(str(event["id"]))
        return found
    finally:
        await consumer.stop()
