import asyncio
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import REGISTRY
from sqlalchemy import BigInteger, Column, Identity, MetaData, Table, Text, func, select, text
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import outbox, topics
from gridcase_events.consumer import ConsumerRunner
from gridcase_events.envelope import Envelope
from gridcase_events.testing import LogLines, eventually, read_topic

pytestmark = pytest.mark.integration


def apply_effect(store: Any, *, fail_on: str | None = None):  # type: ignore[no-untyped-def]
    """A handler whose effect is visible: one row per event, `applied` counts repeats."""

    async def handle(session: AsyncSession, event: Envelope, payload: Any) -> None:
        if fail_on is not None and payload.content == fail_on:
            raise RuntimeError("cannot handle this case")
        stmt = insert(store.effects).values(event_id=event.id, key=event.subject, applied=1)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["event_id"], set_={"applied": store.effects.c.applied + 1}
            )
        )

    return handle


def runner(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka: str, **kw: Any
) -> ConsumerRunner:
    return ConsumerRunner(
        name="test",
        topics=[topics.INTAKE],
        handlers={"case.reported": kw.pop("handler", apply_effect(store))},
        sessionmaker=store.sessionmaker,
        inbox=store.inbox,
        producer=producer,
        bootstrap_servers=kafka,
        namespace=namespace,
        backoff_initial=0.01,
        max_attempts=3,
        **kw,
    )


async def publish(producer: AIOKafkaProducer, namespace: str, key: str, value: bytes) -> None:
    await (
        await producer.send(topics.qualify(namespace, topics.INTAKE), key=key.encode(), value=value)
    )


async def effects(store: Any) -> dict[str, int]:
    async with store.sessionmaker() as s:
        rows = (await s.execute(select(store.effects.c.event_id, store.effects.c.applied))).all()
    return {str(r.event_id): r.applied for r in rows}


async def test_redelivered_event_has_no_second_effect(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    event = make_event(key="case-a")
    marker = make_event(key="case-a", content="after the repeat")
    for e in (event, event, marker):
        await publish(producer, namespace, "case-a", e.to_bytes())

    r = runner(store, producer, namespace, kafka_bootstrap)
    await r.start()
    try:
        seen = await eventually(lambda: _has(store, str(marker.id)))
    finally:
        await r.stop()
    assert seen[str(event.id)] == 1
    assert seen[str(marker.id)] == 1


async def _has(store: Any, event_id: str) -> dict[str, int] | None:
    current = await effects(store)
    return current if event_id in current else None


async def test_poison_messages_go_to_the_dlq_with_reason_and_the_partition_keeps_flowing(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    bad_payload = make_event(key="case-p").model_dump(mode="json")
    bad_payload["data"]["priority"] = "whenever"
    failing = make_event(key="case-p", content="explode")
    good = make_event(key="case-p", content="fine")
    import json

    await publish(producer, namespace, "case-p", b"{not json")
    await publish(producer, namespace, "case-p", json.dumps(bad_payload).encode())
    await publish(producer, namespace, "case-p", failing.to_bytes())
    await publish(producer, namespace, "case-p", good.to_bytes())

    r = runner(
        store, producer, namespace, kafka_bootstrap, handler=apply_effect(store, fail_on="explode")
    )
    await r.start()
    try:
        seen = await eventually(lambda: _has(store, str(good.id)))
    finally:
        await r.stop()
    assert set(seen) == {str(good.id)}

    dead = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.dlq(topics.INTAKE)), min_count=3
    )
    reasons = [dict(d.headers)["x-dlq-reason"].decode() for d in dead]
    assert reasons == ["malformed_envelope", "invalid_payload", "handler_error"]
    handler_error = dict(dead[2].headers)
    assert handler_error["x-dlq-error"] == b"cannot handle this case"
    assert handler_error["x-dlq-attempts"] == b"3"
    assert dead[2].value == failing.to_bytes()
    assert dead[2].key == b"case-p"


async def test_consumer_stopped_mid_stream_and_restarted_loses_nothing(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    sent = [make_event(key=f"case-{i % 7}", content=f"n{i}") for i in range(300)]
    for e in sent:
        await publish(producer, namespace, e.subject, e.to_bytes())

    async def slow_handler(session: AsyncSession, event: Envelope, payload: Any) -> None:
        await apply_effect(store)(session, event, payload)
        await asyncio.sleep(0.002)  # keeps the first runner mid-stream when it is stopped

    first = runner(
        store, producer, namespace, kafka_bootstrap, handler=slow_handler, max_poll_records=20
    )
    await first.start()
    await eventually(lambda: _count_at_least(store, 40))
    await first.stop()
    handled_before_restart = len(await effects(store))
    assert handled_before_restart < len(sent), "the first runner should stop mid-stream"

    second = runner(store, producer, namespace, kafka_bootstrap)
    await second.start()
    try:
        await eventually(lambda: _count_at_least(store, len(sent)))
    finally:
        await second.stop()
    final = await effects(store)
    assert set(final) == {str(e.id) for e in sent}
    assert set(final.values()) == {1}, "no event may take effect twice"


async def _count_at_least(store: Any, n: int) -> bool:
    async with store.sessionmaker() as s:
        count = (await s.execute(select(func.count()).select_from(store.effects))).scalar_one()
    return bool(count >= n)


def consumed(event_type: str, outcome: str) -> float:
    labels = {"consumer": "test", "topic": topics.INTAKE, "type": event_type, "outcome": outcome}
    return REGISTRY.get_sample_value("gridcase_events_consumed_total", labels) or 0.0


async def test_metrics_count_outcomes_with_bounded_labels_and_lag_per_partition(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    event = make_event(key="case-m")
    stranger = make_event(key="case-m").model_copy(update={"type": "made.up-type-9f3"})
    marker = make_event(key="case-m", content="last")
    before = {
        "handled": consumed("case.reported", "handled"),
        "duplicate": consumed("case.reported", "duplicate"),
        "ignored": consumed("unknown", "ignored"),
    }
    for e in (event, event, stranger, marker):
        await publish(producer, namespace, "case-m", e.to_bytes())

    r = runner(store, producer, namespace, kafka_bootstrap)
    await r.start()
    try:
        await eventually(lambda: _has(store, str(marker.id)))

        async def lag_known() -> bool:
            return all(
                REGISTRY.get_sample_value(
                    "gridcase_consumer_lag",
                    {"consumer": "test", "topic": topics.INTAKE, "partition": str(p)},
                )
                is not None
                for p in range(3)
            )

        await eventually(lag_known)
    finally:
        await r.stop()

    assert consumed("case.reported", "handled") - before["handled"] == 2
    assert consumed("case.reported", "duplicate") - before["duplicate"] == 1
    assert consumed("unknown", "ignored") - before["ignored"] == 1
    assert consumed("made.up-type-9f3", "ignored") == 0


PHONE = "13812345678"
ADDRESS = "幸福路12号3单元"


async def test_dead_letter_headers_do_not_carry_sql_parameter_values(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    async def handle(session: AsyncSession, event: Envelope, payload: Any) -> None:
        # A real constraint violation whose statement carries the case's personal data.
        for _ in range(2):
            await session.execute(
                insert(store.effects).values(
                    event_id=event.id, key=f"{PHONE} {ADDRESS} {payload.content}", applied=1
                )
            )

    event = make_event(key="case-r", content="楼道里有人乱堆杂物")
    await publish(producer, namespace, "case-r", event.to_bytes())
    r = runner(store, producer, namespace, kafka_bootstrap, handler=handle)
    await r.start()
    try:
        dead = await read_topic(
            kafka_bootstrap, topics.qualify(namespace, topics.dlq(topics.INTAKE)), min_count=1
        )
    finally:
        await r.stop()

    headers = dict(dead[0].headers)
    error = headers["x-dlq-error"].decode()
    assert headers["x-dlq-error-type"] == b"IntegrityError"
    assert "UniqueViolationError" in error
    assert "[parameters: redacted]" in error
    for secret in (PHONE, ADDRESS, "楼道里有人乱堆杂物"):
        assert secret not in error


def batch_sizes_observed() -> float:
    return REGISTRY.get_sample_value("gridcase_event_batch_size_count", {"consumer": "test"}) or 0.0


async def test_a_failing_event_in_a_batch_costs_only_itself(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    """Events polled together are applied in one transaction; when one of them fails,
    the others still take effect exactly once and only the failing one is dead-lettered."""
    sent = [make_event(key="case-b", content=f"n{i}") for i in range(30)]
    failing = make_event(key="case-b", content="explode")
    sent.insert(17, failing)
    marker = make_event(key="case-b", content="last")
    for e in [*sent, marker]:
        await publish(producer, namespace, "case-b", e.to_bytes())
    batches_before = batch_sizes_observed()

    r = runner(
        store, producer, namespace, kafka_bootstrap, handler=apply_effect(store, fail_on="explode")
    )
    await r.start()
    try:
        seen = await eventually(lambda: _has(store, str(marker.id)))
    finally:
        await r.stop()

    expected = {str(e.id) for e in [*sent, marker] if e is not failing}
    assert set(seen) == expected
    assert set(seen.values()) == {1}, "no event may take effect twice"
    assert batch_sizes_observed() > batches_before, "the events should have been applied together"
    dead = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.dlq(topics.INTAKE)), min_count=1
    )
    assert [d.value for d in dead] == [failing.to_bytes()]


async def test_one_transaction_per_event_when_batching_is_off(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    sent = [make_event(key="case-o", content=f"n{i}") for i in range(12)]
    for e in sent:
        await publish(producer, namespace, "case-o", e.to_bytes())
    batches_before = batch_sizes_observed()
    r = runner(store, producer, namespace, kafka_bootstrap, batch=False)
    await r.start()
    try:
        seen = await eventually(lambda: _has(store, str(sent[-1].id)))
    finally:
        await r.stop()
    assert set(seen) == {str(e.id) for e in sent}
    assert batch_sizes_observed() == batches_before


async def test_a_type_handled_elsewhere_is_skipped_by_its_header_without_parsing(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    """The outbox names each record's type in a header: a consumer skips the types it
    does not handle before reading the body (which another consumer group parses)."""
    marker = make_event(key="case-h", content="after")
    before = consumed("case.assigned", "ignored")
    target = topics.qualify(namespace, topics.INTAKE)
    await (
        await producer.send(
            target, key=b"case-h", value=b"{not even json", headers=[("type", b"case.assigned")]
        )
    )
    await publish(producer, namespace, "case-h", marker.to_bytes())
    r = runner(store, producer, namespace, kafka_bootstrap)
    await r.start()
    try:
        seen = await eventually(lambda: _has(store, str(marker.id)))
    finally:
        await r.stop()
    assert set(seen) == {str(marker.id)}
    assert consumed("case.assigned", "ignored") - before == 1
    dead = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.dlq(topics.INTAKE)), min_count=0
    )
    assert dead == []


# ---------------------------------------------------------------- a poll across partitions


async def applied_log(store: Any) -> Table:
    """A table where a handler writes, for each event it applies, the transaction it
    applies it in (in the order of application)."""
    table = Table(
        "applied",
        MetaData(schema=store.metadata.schema),
        Column("seq", BigInteger, Identity(), primary_key=True),
        Column("event_id", PgUUID(as_uuid=True), nullable=False),
        Column("key", Text, nullable=False),
        Column("txid", BigInteger, nullable=False, server_default=text("txid_current()")),
    )
    async with store.engine.begin() as conn:
        await conn.run_sync(table.create)
    store.applied = table
    return table


async def applied_rows(store: Any) -> list[Any]:
    t = store.applied
    async with store.sessionmaker() as s:
        return list(
            (await s.execute(select(t.c.event_id, t.c.key, t.c.txid).order_by(t.c.seq))).all()
        )


def logging_handler(store: Any, log_insert: Any, *, fail_on: str | None = None):  # type: ignore[no-untyped-def]
    effect = apply_effect(store, fail_on=fail_on)

    async def handle(session: AsyncSession, event: Envelope, payload: Any) -> None:
        await effect(session, event, payload)
        await session.execute(log_insert.insert().values(event_id=event.id, key=event.subject))

    return handle


async def publish_spread(
    producer: AIOKafkaProducer, namespace: str, events: list[Envelope]
) -> dict[str, int]:
    """Publishes `events` in order; returns each key's partition."""
    partitions: dict[str, int] = {}
    target = topics.qualify(namespace, topics.INTAKE)
    for e in events:
        meta = await (await producer.send(target, key=e.subject.encode(), value=e.to_bytes()))
        partitions[e.subject] = meta.partition
    return partitions


def assert_order_per_key(rows: list[Any], sent: list[Envelope]) -> None:
    for key in {e.subject for e in sent}:
        expected = [e.id for e in sent if e.subject == key]
        assert [r.event_id for r in rows if r.key == key] == expected, f"order of {key}"


async def test_a_poll_of_several_partitions_is_applied_in_one_transaction(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    log_insert = await applied_log(store)
    sent = [make_event(key=f"case-t{i % 9}", content=f"n{i}") for i in range(45)]
    partitions = await publish_spread(producer, namespace, sent)
    assert len(set(partitions.values())) == 3, "the keys should reach every partition"

    r = runner(
        store, producer, namespace, kafka_bootstrap, handler=logging_handler(store, log_insert)
    )
    await r.start()
    try:
        seen = await eventually(lambda: _has(store, str(sent[-1].id)))
        await eventually(lambda: _count_at_least(store, len(sent)))
    finally:
        await r.stop()

    rows = await applied_rows(store)
    assert set((await effects(store)).values()) == {1}
    assert sorted(str(r.event_id) for r in rows) == sorted(str(e.id) for e in sent)
    spans = {tx: {partitions[r.key] for r in rows if r.txid == tx} for tx in {r.txid for r in rows}}
    assert max(len(p) for p in spans.values()) == 3, "one transaction should span the partitions"
    assert len(spans) < 3, f"a poll per transaction, not a partition per transaction: {spans}"
    assert_order_per_key(rows, sent)
    assert seen


async def test_a_failing_event_in_one_partition_neither_blocks_nor_doubles_the_others(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    """The poll's transaction fails at one event: every partition is then applied on its
    own, the failing one's last, so the others are stored before its retries begin."""
    log_insert = await applied_log(store)
    sent = [make_event(key=f"case-f{i % 9}", content=f"n{i}") for i in range(36)]
    failing = make_event(key="case-f4", content="explode")
    sent.insert(5, failing)
    partitions = await publish_spread(producer, namespace, sent)
    others = [e for e in sent if e is not failing]
    stored_when_failing: list[int] = []
    effect = logging_handler(store, log_insert)

    async def handle(session: AsyncSession, event: Envelope, payload: Any) -> None:
        if payload.content == "explode":
            async with store.sessionmaker() as s:
                count = (
                    await s.execute(select(func.count()).select_from(store.effects))
                ).scalar_one()
            stored_when_failing.append(count)
            raise RuntimeError("cannot handle this case")
        await effect(session, event, payload)

    r = runner(store, producer, namespace, kafka_bootstrap, handler=handle)
    await r.start()
    try:
        dead = await read_topic(
            kafka_bootstrap, topics.qualify(namespace, topics.dlq(topics.INTAKE)), min_count=1
        )
        seen = await eventually(lambda: _count_at_least(store, len(others)))
    finally:
        await r.stop()

    assert [d.value for d in dead] == [failing.to_bytes()]
    final = await effects(store)
    assert set(final) == {str(e.id) for e in others}
    assert set(final.values()) == {1}, "no event may take effect twice"
    rows = await applied_rows(store)
    assert len(rows) == len(others)
    assert_order_per_key(rows, others)
    # The first attempt is inside the poll's transaction; the retries come after the
    # other partitions' events are stored, and the failing partition's before it.
    position = sent.index(failing)
    after_it = [e for e in sent[position + 1 :] if partitions[e.subject] == partitions["case-f4"]]
    assert stored_when_failing[0] == 0
    assert stored_when_failing[-1] == len(others) - len(after_it)
    assert seen


async def committed_offsets(kafka: str, group: str, namespace: str) -> dict[int, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    topic = topics.qualify(namespace, topics.INTAKE)
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}


async def test_a_revoked_partition_is_not_committed_by_the_runner_that_lost_it(
    store: Any,
    producer: AIOKafkaProducer,
    namespace: str,
    kafka_bootstrap: str,
    make_event: Any,
    log_lines: LogLines,
) -> None:
    """A rebalance takes partitions away while a poll's transaction is under way: the
    transaction may finish, but its offsets for the partitions now read by another
    member are not committed by the runner that lost them (and its own are)."""
    sent = [make_event(key=f"case-v{i % 9}", content=f"n{i}") for i in range(27)]
    partitions = await publish_spread(producer, namespace, sent)
    ends = {p: sum(1 for e in sent if partitions[e.subject] == p) for p in range(3)}
    entered, gate = asyncio.Event(), asyncio.Event()
    effect = apply_effect(store)

    async def handle(session: AsyncSession, event: Envelope, payload: Any) -> None:
        entered.set()
        await gate.wait()
        await effect(session, event, payload)

    r = runner(store, producer, namespace, kafka_bootstrap, handler=handle)
    other = AIOKafkaConsumer(
        topics.qualify(namespace, topics.INTAKE),
        bootstrap_servers=kafka_bootstrap,
        group_id=r.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        heartbeat_interval_ms=500,
    )
    await r.start()
    try:
        await asyncio.wait_for(entered.wait(), 30)
        await other.start()  # joins the group: a rebalance while the handler waits

        async def other_assigned() -> set[int]:
            await other.getmany(timeout_ms=100, max_records=1)  # the records stay unread
            return {tp.partition for tp in other.assignment()}

        taken = await eventually(other_assigned)
        gate.set()
        kept = set(range(3)) - taken

        async def ours_committed() -> dict[int, int] | None:
            offsets = await committed_offsets(kafka_bootstrap, r.group, namespace)
            return offsets if all(offsets.get(p) == ends[p] for p in kept) else None

        offsets = await eventually(ours_committed)
    finally:
        await r.stop()
        await other.stop()

    assert kept, "the runner should keep a partition"
    for p in taken:
        assert offsets.get(p, -1) in (-1, None), f"partition {p} was committed after it was revoked"
    assert set((await effects(store)).values()) == {1}
    # Offering the broker a revoked partition's offset fails the whole commit, the
    # partitions still ours included.
    assert log_lines.where(event="offset commit failed") == []


async def test_stopped_during_a_polls_transaction_and_restarted_nothing_lost_or_doubled(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    log_insert = await applied_log(store)
    sent = [make_event(key=f"case-s{i % 9}", content=f"n{i}") for i in range(120)]
    await publish_spread(producer, namespace, sent)
    entered, gate = asyncio.Event(), asyncio.Event()
    effect = logging_handler(store, log_insert)

    async def held(session: AsyncSession, event: Envelope, payload: Any) -> None:
        if not gate.is_set():
            entered.set()
            await gate.wait()
        await effect(session, event, payload)

    first = runner(store, producer, namespace, kafka_bootstrap, handler=held, max_poll_records=30)
    await first.start()
    await asyncio.wait_for(entered.wait(), 30)
    stopping = asyncio.create_task(first.stop())
    gate.set()
    await stopping
    after_first = len(await effects(store))
    assert 0 < after_first < len(sent), "the first runner should stop after its poll"

    second = runner(store, producer, namespace, kafka_bootstrap, handler=effect)
    await second.start()
    try:
        await eventually(lambda: _count_at_least(store, len(sent)))
    finally:
        await second.stop()
    final = await effects(store)
    assert set(final) == {str(e.id) for e in sent}
    assert set(final.values()) == {1}, "no event may take effect twice"
    assert_order_per_key(await applied_rows(store), sent)


async def test_offsets_are_committed_every_commit_interval_not_after_every_poll(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    """An offset commit is a broker round trip: a runner commits the offsets of what it
    stored at most once per ``commit_interval`` (the inbox covers what a crash re-reads),
    and everything at stop."""
    sent = [make_event(key="case-c", content=f"c{i}") for i in range(3)]
    r = runner(store, producer, namespace, kafka_bootstrap, commit_interval=3600.0)
    await r.start()
    try:
        offsets = []
        for event in sent:  # one poll each: the next is published once this one is stored
            record = await (
                await producer.send(
                    topics.qualify(namespace, topics.INTAKE),
                    key=event.subject.encode(),
                    value=event.to_bytes(),
                )
            )
            offsets.append((record.partition, record.offset))
            await eventually(lambda e=event: _has(store, str(e.id)))
        (partition,) = {p for p, _ in offsets}
        # The first poll's offset went at once; the two after it wait for the interval
        # (before, every poll committed before the next fetch, so the second's would be
        # committed by the time the third is stored).
        running = await committed_offsets(kafka_bootstrap, r.group, namespace)
        assert running.get(partition) == offsets[0][1] + 1
    finally:
        await r.stop()
    stopped = await committed_offsets(kafka_bootstrap, r.group, namespace)
    assert stopped[partition] == offsets[-1][1] + 1


async def test_a_small_poll_waits_for_what_follows_and_shares_its_transaction(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    """A poll of fewer than ``linger_records`` events waits ``linger`` for more: an
    event that arrives meanwhile is applied in the same transaction (one inbox insert,
    one commit) instead of one of its own. Each event's effect is still its own."""
    first, second = make_event(key="case-l", content="l1"), make_event(key="case-l", content="l2")
    r = runner(store, producer, namespace, kafka_bootstrap, linger=2.0, linger_records=2)
    await r.start()
    try:
        sent = await (
            await producer.send(
                topics.qualify(namespace, topics.INTAKE), key=b"case-l", value=first.to_bytes()
            )
        )
        tp = TopicPartition(sent.topic, sent.partition)

        async def fetched() -> bool:  # the runner holds the first event now
            assert r._consumer is not None
            return bool(await r._consumer.position(tp) > sent.offset)

        await eventually(fetched)
        await publish(producer, namespace, "case-l", second.to_bytes())
        await eventually(lambda: _has(store, str(second.id)))
    finally:
        await r.stop()
    async with store.sessionmaker() as s:
        # processed_at is now(): the time its transaction began.
        times = (
            await s.execute(
                select(store.inbox.c.event_id, store.inbox.c.processed_at).where(
                    store.inbox.c.event_id.in_([first.id, second.id])
                )
            )
        ).all()
    assert len(times) == 2
    assert times[0].processed_at == times[1].processed_at, "one transaction for both"
    assert set(await effects(store)) == {str(first.id), str(second.id)}


@pytest.mark.parametrize("batch", [True, False], ids=["runs", "one-by-one"])
async def test_the_relay_is_woken_only_after_a_commit_that_wrote_outbox_rows(
    store: Any,
    producer: AIOKafkaProducer,
    namespace: str,
    kafka_bootstrap: str,
    make_event: Any,
    batch: bool,
) -> None:
    """A consumer whose events write no outbox rows (notify's planning, escalation's
    reports) costs the relay no claim; one that announces something wakes it."""
    announce_on = "announce"
    effect = apply_effect(store)

    async def handle(session: AsyncSession, event: Envelope, payload: Any) -> None:
        await effect(session, event, payload)
        if payload.content == announce_on:
            await outbox.enqueue(session, store.outbox, make_event(key=event.subject))

    woken: list[int] = []
    quiet = [make_event(key="case-w", content=f"q{i}") for i in range(3)]
    r = runner(
        store,
        producer,
        namespace,
        kafka_bootstrap,
        handler=handle,
        batch=batch,
        after_commit=lambda: woken.append(1),
    )
    await r.start()
    try:
        for e in quiet:
            await publish(producer, namespace, "case-w", e.to_bytes())
        await eventually(lambda: _has(store, str(quiet[-1].id)))
        assert woken == [], "runs that wrote no outbox rows woke the relay"
        loud = make_event(key="case-w", content=announce_on)
        await publish(producer, namespace, "case-w", loud.to_bytes())
        await eventually(lambda: _has(store, str(loud.id)))
    finally:
        await r.stop()
    assert woken == [1]
    async with store.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(store.outbox)) == 1
