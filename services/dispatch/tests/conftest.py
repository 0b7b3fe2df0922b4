from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer

from dispatch.config import DispatchSettings
from dispatch.main import create_app
from gridcase_events import envelope, payloads, topics
from gridcase_events.kit.clock import ManualClock
from gridcase_events.producer import create_producer
from gridcase_events.testing import bearer, eventually, running

NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # 09:00 in the district
DEMO = Path(__file__).resolve().parents[3] / "deploy" / "demo"
DEMO_FILES = [
    ("departments", "departments.csv"),
    ("areas", "areas.geojson"),
    ("categories", "categories.csv"),
    ("staff", "staff.csv"),
    ("gazetteer", "gazetteer.csv"),
    ("absences", "absences.csv"),
]


ADMIN = bearer("admin1", "admin", "510302")
# Imports as an admin of the whole deployment: the demo staff file holds the city centre.
IMPORTER = bearer("admin0", "admin")
DISPATCHER = bearer("dp1", "dispatcher", "510302")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def _settings(database_url: str, kafka_bootstrap: str, namespace: str) -> DispatchSettings:
    return DispatchSettings(
        env="development",
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
    )


@pytest.fixture
async def client(
    fresh_database: str, kafka_bootstrap: str, namespace: str, clock: ManualClock
) -> AsyncIterator[Any]:
    settings = _settings(fresh_database, kafka_bootstrap, namespace)
    app = create_app(settings, clock=clock)
    async with running(app) as c:
        c.app = app  # the running service's runtime, for tests that drive it directly
        yield c


async def import_file(client: Any, kind: str, content: bytes, name: str = "file") -> Any:
    return await client.post(
        "/v1/directory/import",
        params={"kind": kind},
        files={"file": (name, content)},
        headers=IMPORTER,
    )


@pytest.fixture
def import_directory(client: Any) -> Callable[..., Any]:
    async def do(kind: str, content: bytes) -> Any:
        return await import_file(client, kind, content)

    return do


@pytest.fixture
async def demo_city(client: Any) -> Any:
    return await _import_demo_city(client)


async def _import_demo_city(client: Any) -> Any:
    for kind, name in DEMO_FILES:
        response = await import_file(client, kind, (DEMO / name).read_bytes(), name)
        assert response.status_code == 200, response.text
    return client


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = create_producer(kafka_bootstrap, client_id="dispatch-test")
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
def report(producer: AIOKafkaProducer, namespace: str) -> Callable[..., Any]:
    """Publishes a `case.reported` as intake would; returns the case id."""
    return _reporter(producer, namespace)


def _reporter(producer: AIOKafkaProducer, namespace: str) -> Callable[..., Any]:
    async def publish(**fields: Any) -> UUID:
        case_id = envelope.new_id()
        data: dict[str, Any] = {
            "case_id": case_id,
            "tracking_no": "GC-20261121-TEST00",
            "channel": "hotline",
            "external_ref": f"T-{case_id}",
            "reported_at": NOW,
            "content": "垃圾满溢",
            "priority": "normal",
            "category_hint": "environment/garbage-overflow",
        }
        data.update(fields)
        event = envelope.build(
            payloads.CaseReported(**data),
            subject=str(case_id),
            source="intake",
            tenant="510302",
            correlation_id=f"corr-{case_id}",
            time=NOW,
        )
        await (
            await producer.send(
                topics.qualify(namespace, topics.INTAKE),
                key=str(case_id).encode(),
                value=event.to_bytes(),
            )
        )
        return case_id

    return publish


@pytest.fixture
def settled(client: Any) -> Callable[..., Any]:
    """Waits until dispatch has taken the case in; returns its detail (with timeline)."""
    return _settler(client)


def _settler(client: Any) -> Callable[..., Any]:
    async def wait(case_id: UUID) -> dict[str, Any]:
        async def fetch() -> dict[str, Any] | None:
            response = await client.get(f"/v1/cases/{case_id}", headers=DISPATCHER)
            return response.json() if response.status_code == 200 else None

        result: dict[str, Any] = await eventually(fetch)
        return result

    return wait


@pytest.fixture
def new_case(
    demo_city: Any, report: Callable[..., Any], settled: Callable[..., Any]
) -> Callable[..., Any]:
    """Reports a case in 桂花社区一网格 (A post gm111a) and waits until it is assigned."""

    async def make(**fields: Any) -> dict[str, Any]:
        fields.setdefault("location", {"lat": 29.355, "lon": 104.7725})
        result: dict[str, Any] = await settled(await report(**fields))
        return result

    return make


# --- one dispatch and one demo city for a module's read-only tests ------------------
# Tests that only read (who may see a case, say) share one running dispatch, its demo
# city and what they report within their module (docs/testing.md).


@pytest.fixture(scope="module")
def shared_clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture(scope="module")
async def shared_client(
    module_database: str, kafka_bootstrap: str, module_namespace: str, shared_clock: ManualClock
) -> AsyncIterator[Any]:
    settings = _settings(module_database, kafka_bootstrap, module_namespace)
    async with running(create_app(settings, clock=shared_clock)) as c:
        yield c


@pytest.fixture(scope="module")
async def shared_demo_city(shared_client: Any) -> Any:
    return await _import_demo_city(shared_client)


@pytest.fixture(scope="module")
async def shared_producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = create_producer(kafka_bootstrap, client_id="dispatch-test")
    await p.start()
    yield p
    await p.stop()


@pytest.fixture(scope="module")
def shared_report(shared_producer: AIOKafkaProducer, module_namespace: str) -> Callable[..., Any]:
    return _reporter(shared_producer, module_namespace)


@pytest.fixture(scope="module")
def shared_settled(shared_client: Any) -> Callable[..., Any]:
    return _settler(shared_client)


@pytest.fixture(scope="module")
def shared_import_directory(shared_client: Any) -> Callable[..., Any]:
    async def do(kind: str, content: bytes) -> Any:
        return await import_file(shared_client, kind, content)

    return do
