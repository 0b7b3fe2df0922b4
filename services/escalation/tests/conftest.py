from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer

from escalation.config import EscalationSettings
from escalation.main import create_app
from gridcase_events import envelope, payloads, topics
from gridcase_events.kit.clock import ManualClock
from gridcase_events.producer import create_producer
from gridcase_events.testing import bearer, eventually, running

ASSIGNED_AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in the district
MEMBER = bearer("gm111a", "grid_member", "510302001001001")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(ASSIGNED_AT)


def _settings(database_url: str, kafka_bootstrap: str, namespace: str) -> EscalationSettings:
    return EscalationSettings(
        env="development",
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
        scheduler_poll_seconds=0.05,
    )


@pytest.fixture
def settings(fresh_database: str, kafka_bootstrap: str, namespace: str) -> EscalationSettings:
    return _settings(fresh_database, kafka_bootstrap, namespace)


@pytest.fixture
async def client(settings: EscalationSettings, clock: ManualClock) -> AsyncIterator[Any]:
    app = create_app(settings, clock=clock)
    async with running(app) as c:
        c.app = app
        yield c


@pytest.fixture(scope="module")
def shared_clock() -> ManualClock:
    return ManualClock(ASSIGNED_AT)


@pytest.fixture(scope="module")
async def shared_client(
    module_database: str, kafka_bootstrap: str, module_namespace: str, shared_clock: ManualClock
) -> AsyncIterator[Any]:
    """One escalation for a module's tests that only read or are refused, with nothing
    put in (docs/testing.md)."""
    settings = _settings(module_database, kafka_bootstrap, module_namespace)
    app = create_app(settings, clock=shared_clock)
    async with running(app) as c:
        c.app = app
        yield c


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = create_producer(kafka_bootstrap, client_id="escalation-test")
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
def dispatch(producer: AIOKafkaProducer, namespace: str) -> Callable[..., Any]:
    """Publishes a dispatch event about a case, as dispatch would."""

    async def publish(payload: Any) -> envelope.Envelope:
        event = envelope.build(
            payload,
            subject=str(payload.case_id),
            source="dispatch",
            tenant="510302",
            correlation_id=f"corr-{payload.case_id}",
            time=ASSIGNED_AT,
        )
        await (
            await producer.send(
                topics.qualify(namespace, topics.DISPATCH),
                key=event.subject.encode(),
                value=event.to_bytes(),
            )
        )
        return event

    return publish


def ref(
    case_id: UUID,
    *,
    priority: str = "normal",
    category: str | None = "environment/garbage-overflow",
    version: int = 2,
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "tracking_no": "GC-20261123-CLOCK1",
        "category_code": category,
        "priority": priority,
        "channel": "hotline",
        "case_version": version,
    }


def action(case_id: UUID, at: datetime, **extra: Any) -> dict[str, Any]:
    return {
        **ref(case_id),
        "actor_id": "gm111a",
        "actor_role": "grid_member",
        "at": at,
        "grid_code": "510302001001001",
        "assignee_id": "gm111a",
        **extra,
    }


def assigned(
    case_id: UUID,
    *,
    priority: str = "normal",
    category: str | None = "environment/garbage-overflow",
    at: datetime = ASSIGNED_AT,
) -> payloads.CaseAssigned:
    return payloads.CaseAssigned(
        **ref(case_id, priority=priority, category=category),
        assignee_id="gm111a",
        assignee_role="grid_member",
        post="A",
        reason="A post",
        grid_code="510302001001001",
        summary="垃圾满溢",
        assigned_at=at,
    )


@pytest.fixture
def clocks_of(client: Any) -> Callable[..., Any]:
    """Waits until the case's clocks satisfy `done` (by default: any exist)."""

    async def wait(
        case_id: UUID, done: Callable[[list[dict[str, Any]]], bool] = bool
    ) -> dict[tuple[str, int], dict[str, Any]]:
        async def fetch() -> list[dict[str, Any]] | None:
            response = await client.get(f"/v1/cases/{case_id}/clocks", headers=MEMBER)
            body = response.json() if response.status_code == 200 else None
            return body if body and done(body) else None

        body = await eventually(fetch)
        return {(c["kind"], c["generation"]): c for c in body}

    return wait


@pytest.fixture
def build() -> Any:
    """Builders of dispatch payloads: build.assigned(case_id, ...), build.action(...)."""
    from types import SimpleNamespace

    return SimpleNamespace(assigned=assigned, action=action, ref=ref)


@pytest.fixture
def directory_staff(
    producer: AIOKafkaProducer, namespace: str, settings: EscalationSettings
) -> Callable[..., Any]:
    """Publishes staff to the directory topic, as dispatch would: (staff_id, role, area),
    and waits until escalation's projection holds them (the directory and the case events
    arrive through separate consumer groups)."""
    from gridcase_events.kit.pii import PiiCipher
    from gridcase_events.kit.settings import DEV_PII_KEY

    async def publish(*people: tuple[str, str, str]) -> None:
        cipher = PiiCipher(DEV_PII_KEY)
        for staff_id, role, area in people:
            event = envelope.build(
                payloads.StaffUpserted(
                    staff_id=staff_id,
                    name="某人",
                    role=role,
                    area_code=area,
                    department_code=None,  # type: ignore[arg-type]
                    post=None,
                    phone_masked="138****0000",
                    phone_encrypted=cipher.encrypt("13800000000"),
                ),
                subject=f"staff:{staff_id}",
                source="dispatch",
                tenant="510302",
                correlation_id="dir",
                time=datetime(2026, 11, 1, tzinfo=UTC),
            )
            await (
                await producer.send(
                    topics.qualify(namespace, topics.DIRECTORY),
                    key=event.subject.encode(),
                    value=event.to_bytes(),
                )
            )

        await _projected(settings, [p[0] for p in people])

    return publish


@pytest.fixture
def escalated(kafka_bootstrap: str, namespace: str) -> Callable[..., Any]:
    """Waits for at least `count` case.escalated events about a case; returns their data."""
    import json

    from gridcase_events.testing import read_topic

    async def wait(case_id: UUID, count: int) -> list[dict[str, Any]]:
        async def check() -> list[dict[str, Any]] | None:
            records = await read_topic(
                kafka_bootstrap, topics.qualify(namespace, topics.ESCALATION), min_count=count
            )
            found = [
                json.loads(r.value)["data"]
                for r in records
                if r.key == str(case_id).encode()
                and json.loads(r.value)["type"] == "case.escalated"
            ]
            return found if len(found) >= count else None

        result: list[dict[str, Any]] = await eventually(check)
        return result

    return wait


async def _projected(settings: EscalationSettings, staff_ids: list[str]) -> None:
    from sqlalchemy import text

    from gridcase_events.kit.db import create_engine

    engine = create_engine(settings.database_url.get_secret_value(), pool_size=1)
    try:

        async def known() -> bool:
            async with engine.connect() as conn:
                found = await conn.execute(
                    text(
                        "SELECT count(*) FROM escalation.directory_staff WHERE staff_id = ANY(:ids)"
                    ),
                    {"ids": staff_ids},
                )
                return bool(found.scalar_one() == len(staff_ids))

        await eventually(known)
    finally:
        await engine.dispose()
