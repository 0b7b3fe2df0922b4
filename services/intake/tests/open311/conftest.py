"""Fixtures of the Open311 tests: intake with known API keys, a directory published as
dispatch publishes it, and dispatch's and escalation's events about a case."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from gridcase_events import envelope, payloads, topics
from gridcase_events.kit.clock import ManualClock
from gridcase_events.producer import create_producer
from gridcase_events.testing import eventually, running
from intake.config import IntakeSettings
from intake.main import create_app

API_KEY = "open311-key-current"
OLD_API_KEY = "open311-key-previous"
HOTLINE_SECRET = "hotline-secret-current"

CATEGORIES = [
    ("environment/garbage-overflow", "垃圾满溢", "grid", None, "normal"),
    ("order/illegal-parking", "违章停车", "department", "urban", "normal"),
    ("utility/water-outage", "停水", "department", "water", "urgent"),
]
DEPARTMENTS = [("urban", "城管局"), ("water", "水务局")]
AREAS = [
    ("510302001001", "桂花社区", "community", "510302001"),
    ("510302001001001", "桂花社区第一网格", "grid", "510302001001"),
]

DEMO_BOX = "104.72,29.30,104.84,29.42"  # the demo district with about 5 km around it


def _settings(database_url: str, kafka_bootstrap: str, namespace: str) -> IntakeSettings:
    return IntakeSettings(
        env="development",
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
        open311_api_keys_raw=f"{API_KEY},{OLD_API_KEY}",
        hotline_secrets_raw=HOTLINE_SECRET,
        max_body_bytes=64 * 1024,
        # The demo district's box as the override (the boundary learned from the
        # directory's grids: tests/catalogue/test_boundary.py).
        district_bounds=DEMO_BOX,
    )


@pytest.fixture
async def client(
    fresh_database: str, kafka_bootstrap: str, namespace: str, clock: ManualClock
) -> AsyncIterator[Any]:
    settings = _settings(fresh_database, kafka_bootstrap, namespace)
    async with running(create_app(settings, clock=clock)) as c:
        yield c


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = create_producer(kafka_bootstrap, client_id="intake-open311-test")
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
def publish(producer: AIOKafkaProducer, namespace: str) -> Callable[..., Any]:
    """Publishes an event as another service would (through Kafka, not intake's code)."""
    return _publisher(producer, namespace)


def _publisher(producer: AIOKafkaProducer, namespace: str) -> Callable[..., Any]:
    async def send(
        payload: BaseModel,
        *,
        subject: str,
        source: str,
        time: datetime | None = None,
    ) -> envelope.Envelope:
        event = envelope.build(
            payload,
            subject=subject,
            source=source,
            tenant="510302",
            correlation_id=f"test-{subject}",
            time=time or datetime.now(UTC),
        )
        topic = topics.for_event(source=source, event_type=event.type)
        await (
            await producer.send(
                topics.qualify(namespace, topic),
                key=event.subject.encode(),
                value=event.to_bytes(),
            )
        )
        return event

    return send


@pytest.fixture
async def catalogue(client: Any, publish: Callable[..., Any]) -> list[tuple[Any, ...]]:
    """The directory's categories, departments and areas, published on the directory
    topic; returns once intake's service list shows every category."""
    return await _publish_catalogue(client, publish)


async def _publish_catalogue(client: Any, publish: Callable[..., Any]) -> list[tuple[Any, ...]]:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    for code, name in DEPARTMENTS:
        await publish(
            payloads.DepartmentUpserted(code=code, name=name),
            subject=f"department:{code}",
            source="dispatch",
            time=at,
        )
    for code, name, level, parent in AREAS:
        await publish(
            payloads.AreaUpserted(code=code, name=name, level=level, parent_code=parent),
            subject=f"area:{code}",
            source="dispatch",
            time=at,
        )
    for code, name, handler, department, priority in CATEGORIES:
        await publish(
            payloads.CategoryUpserted(
                code=code,
                name=name,
                handler=handler,
                department_code=department,
                priority=priority,
            ),
            subject=f"category:{code}",
            source="dispatch",
            time=at,
        )

    async def listed() -> bool:
        response = await client.get("/open311/v2/services.json")
        return response.status_code == 200 and len(response.json()) == len(CATEGORIES)

    await eventually(listed)
    return CATEGORIES


@pytest.fixture
def submit(client: Any) -> Callable[..., Any]:
    """POSTs a service request, form-encoded, with the current API key by default."""
    return _submitter(client)


def _submitter(client: Any) -> Callable[..., Any]:
    async def post(fmt: str = "json", **fields: Any) -> Any:
        form = {
            "api_key": API_KEY,
            "service_code": "environment/garbage-overflow",
            "lat": "29.355",
            "long": "104.7725",
            "description": "桂花路1号1栋楼下垃圾桶满溢",
            **fields,
        }
        form = {k: v for k, v in form.items() if v is not None}
        return await client.post(f"/open311/v2/requests.{fmt}", data=form)

    return post


# --- one intake for a module's tests that store nothing -----------------------------
# Each test above gets an intake of its own. The many cases of a refusal (bad filters,
# invalid requests) only read, or check that nothing was stored: they share one intake,
# its catalogue and its database (`shared_db`) within their module (docs/testing.md).


@pytest.fixture(scope="module")
async def shared_client(
    module_database: str, kafka_bootstrap: str, module_namespace: str, shared_clock: ManualClock
) -> AsyncIterator[Any]:
    settings = _settings(module_database, kafka_bootstrap, module_namespace)
    async with running(create_app(settings, clock=shared_clock)) as c:
        yield c


@pytest.fixture(scope="module")
async def shared_catalogue(
    shared_client: Any, kafka_bootstrap: str, module_namespace: str
) -> list[tuple[Any, ...]]:
    p = create_producer(kafka_bootstrap, client_id="intake-open311-test")
    await p.start()
    try:
        return await _publish_catalogue(shared_client, _publisher(p, module_namespace))
    finally:
        await p.stop()


@pytest.fixture(scope="module")
def shared_submit(shared_client: Any) -> Callable[..., Any]:
    return _submitter(shared_client)
