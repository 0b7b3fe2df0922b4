import asyncio
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import topics
from gridcase_events.consumer import ConsumerRunner
from gridcase_events.envelope import Envelope
from gridcase_events.testing import eventually, read_topic

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
