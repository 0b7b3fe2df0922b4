from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from escalation.config import EscalationSettings
from escalation.main import create_app
from gridcase_events import envelope, topics
from gridcase_events.kit.clock import ManualClock
from gridcase_events.kit.db import create_engine
from gridcase_events.producer import create_producer
from gridcase_events.testing import eventually, running


@pytest.fixture
def publish(producer: AIOKafkaProducer, namespace: str) -> Callable[..., Any]:
    """Publishes an event as its producer would: publish(payload, source=..., at=...);
    publish(event=an_envelope) sends the very same event again (a redelivery); `topic`
    and `subject` for events not about a case (the directory's)."""
    return _publisher(producer, namespace)


def _publisher(producer: AIOKafkaProducer, namespace: str) -> Callable[..., Any]:
    async def send(
        payload: Any = None,
        *,
        source: str = "dispatch",
        at: datetime | None = None,
        event: envelope.Envelope | None = None,
        topic: str | None = None,
        subject: str | None = None,
    ) -> envelope.Envelope:
        if event is None:
            event = envelope.build(
                payload,
                subject=subject or str(payload.case_id),
                source=source,
                tenant="510302",
                correlation_id=f"corr-{subject or payload.case_id}",
                time=at or datetime.fromisoformat("2026-11-23T09:00:00+08:00"),
            )
        await (
            await producer.send(
                topics.qualify(namespace, topic or topics.BY_SOURCE[event.source]),
                key=event.subject.encode(),
                value=event.to_bytes(),
            )
        )
        return event

    return send


@pytest.fixture
def processed(settings: EscalationSettings) -> Callable[..., Any]:
    """Waits until escalation's consumers have handled these events (their inbox), and
    at least `types[t]` events of each given type."""
    return _waiter(settings.database_url.get_secret_value())


def _waiter(database_url: str) -> Callable[..., Any]:
    async def wait(ids: list[UUID], types: dict[str, int] | None = None) -> None:
        engine = create_engine(database_url, pool_size=1)
        try:

            async def done() -> bool:
                async with engine.connect() as conn:
                    seen = await conn.execute(
                        text(
                            "SELECT count(DISTINCT event_id) FROM escalation.inbox"
                            " WHERE event_id = ANY(:ids)"
                        ),
                        {"ids": list(set(ids))},
                    )
                    if seen.scalar_one() != len(set(ids)):
                        return False
                    for event_type, count in (types or {}).items():
                        found = await conn.execute(
                            text(
                                "SELECT count(*) FROM escalation.inbox"
                                " WHERE consumer = 'escalation-reports' AND event_type = :t"
                            ),
                            {"t": event_type},
                        )
                        if found.scalar_one() < count:
                            return False
                    return True

            await eventually(done)
        finally:
            await engine.dispose()

    return wait


# --- for a module's tests that read one data set (docs/testing.md) -------------------


@pytest.fixture(scope="module")
async def shared_publish(
    kafka_bootstrap: str, module_namespace: str
) -> AsyncIterator[Callable[..., Any]]:
    """As `publish`, to the module's `shared_client`."""
    producer = create_producer(kafka_bootstrap, client_id="escalation-test")
    await producer.start()
    yield _publisher(producer, module_namespace)
    await producer.stop()


@pytest.fixture(scope="module")
def shared_processed(module_database: str) -> Callable[..., Any]:
    """As `processed`, for the module's `shared_client`."""
    return _waiter(module_database)


Feed = Callable[[Callable[..., Any]], Awaitable[list[envelope.Envelope]]]
"""Publishes a module's data set with the publisher it is given; returns what it sent."""


@pytest.fixture(scope="module")
def assessed_service(
    module_database: str,
    kafka_bootstrap: str,
    module_namespace: str,
    shared_publish: Any,
    shared_processed: Any,
) -> Callable[..., AbstractAsyncContextManager[Any]]:
    """escalation on the module's database and topics, at `now`, with the assessment
    settings given, once `feed` has published the module's data set and every event of
    it has been processed: the client of the module's assessment tests."""

    @asynccontextmanager
    async def start(*, now: datetime, feed: Feed, **assessment: Any) -> AsyncIterator[Any]:
        settings = EscalationSettings(
            env="development",
            database_url=module_database,
            kafka_bootstrap_servers=kafka_bootstrap,
            topic_namespace=module_namespace,
            scheduler_poll_seconds=0.05,
            **assessment,
        )
        async with running(create_app(settings, clock=ManualClock(now))) as client:
            sent = await feed(shared_publish)
            await shared_processed([s.id for s in sent])
            yield client

    return start
