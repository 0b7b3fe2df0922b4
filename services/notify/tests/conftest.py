from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from gridcase_events import envelope, payloads, topics
from gridcase_events.kit import tracing
from gridcase_events.kit.clock import ManualClock
from gridcase_events.kit.db import create_engine
from gridcase_events.kit.pii import PiiCipher
from gridcase_events.kit.settings import DEV_PII_KEY
from gridcase_events.producer import create_producer
from gridcase_events.testing import HttpSink, bearer, eventually, running
from notify.config import NotifySettings
from notify.main import create_app

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
GATEWAY_SECRET = "sms-gateway-secret"
OPS = bearer("ops1", "ops", "510302")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def notify_overrides() -> dict[str, Any]:
    """Settings a test module changes (override this fixture there)."""
    return {}


@pytest.fixture
def notify_channels() -> dict[str, Any]:
    """Channels a test module puts in the registry (override this fixture there)."""
    return {}


@pytest.fixture
async def client(
    fresh_database: str,
    kafka_bootstrap: str,
    namespace: str,
    clock: ManualClock,
    http_sink: HttpSink,
    notify_overrides: dict[str, Any],
    notify_channels: dict[str, Any],
) -> AsyncIterator[Any]:
    defaults: dict[str, Any] = {
        "sms_gateway_url": f"{http_sink.url}/sms/send",
        "sms_gateway_secret": GATEWAY_SECRET,
        "poll_interval_seconds": 0.05,
        "backoff_initial_seconds": 10,
        "backoff_max_seconds": 60,
        "max_attempts": 3,
        "outbound_hosts": ["127.0.0.1"],  # the loopback sinks stand in for robots, 12345
    }
    settings = NotifySettings(
        env="development",
        database_url=fresh_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
        **(defaults | notify_overrides),
    )
    app = create_app(settings, clock=clock, extra_channels=lambda runtime: notify_channels)
    async with running(app) as c:
        yield c


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = create_producer(kafka_bootstrap, client_id="notify-test")
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
def publish(producer: AIOKafkaProducer, namespace: str) -> Callable[..., Any]:
    async def send(
        payload: Any,
        *,
        subject: str,
        source: str,
        correlation_id: str = "corr-1",
        tenant: str = "510302",
    ) -> Any:
        event = envelope.build(
            payload,
            subject=subject,
            source=source,
            tenant=tenant,
            correlation_id=correlation_id,
            time=NOW,
        )
        topic = topics.qualify(namespace, topics.for_event(source=source, event_type=event.type))
        # As a service's relay would: the active span's trace context rides along.
        headers = tracing.kafka_headers(tracing.current_carrier())
        await (
            await producer.send(
                topic, key=subject.encode(), value=event.to_bytes(), headers=headers
            )
        )
        return event

    return send


@pytest.fixture
def staff(publish: Any, fresh_database: str) -> Callable[..., Any]:
    """Publishes a staff member to the directory topic and waits until notify holds the
    contact (contacts and assignments arrive through separate consumer groups)."""

    async def upsert(
        staff_id: str = "gm111a",
        phone: str = "13800000002",
        *,
        role: str = "grid_member",
        area_code: str | None = "510302001001001",
        department_code: str | None = None,
    ) -> Any:
        cipher = PiiCipher(DEV_PII_KEY)
        event = await publish(
            payloads.StaffUpserted(
                staff_id=staff_id,
                name="李磊静",
                role=role,
                area_code=area_code,
                department_code=department_code,
                post="A" if role == "grid_member" else None,
                phone_masked=phone[:3] + "****" + phone[-4:],
                phone_encrypted=cipher.encrypt(phone),
            ),
            subject=f"staff:{staff_id}",
            source="dispatch",
        )
        engine = create_engine(fresh_database, pool_size=1)
        try:

            async def known() -> bool:
                async with engine.connect() as conn:
                    found = await conn.execute(
                        text("SELECT 1 FROM notify.contacts WHERE staff_id = :s"), {"s": staff_id}
                    )
                    return found.first() is not None

            await eventually(known)
        finally:
            await engine.dispose()
        return event

    return upsert


@pytest.fixture
def assigned(publish: Any) -> Callable[..., Any]:
    async def assign(
        *,
        assignee: str = "gm111a",
        post: str = "A",
        tracking_no: str = "GC-20261121-AAAAAA",
        priority: str = "normal",
        case_id: UUID | None = None,
        department_code: str | None = None,
        grid_code: str = "510302001001001",
        tenant: str = "510302",
    ) -> Any:
        case_id = case_id or envelope.new_id()
        return await publish(
            payloads.CaseAssigned(
                case_id=case_id,
                tracking_no=tracking_no,
                category_code="environment/garbage-overflow",
                priority=priority,
                channel="hotline",
                assignee_id=assignee,
                assignee_role="department_operator" if department_code else "grid_member",
                post="operator" if department_code else post,
                reason="A post",
                grid_code=None if department_code else grid_code,
                department_code=department_code,
                summary="垃圾满溢。",
                assigned_at=NOW,
            ),
            subject=str(case_id),
            source="dispatch",
            correlation_id=f"corr-{case_id}",
            tenant=tenant,
        )

    return assign


@pytest.fixture
def deliveries(client: Any) -> Callable[..., Any]:
    """Waits until the case's deliveries over `channel` (all: None) satisfy `done`;
    returns them."""

    async def wait(
        case_id: UUID | str,
        done: Callable[[list[dict[str, Any]]], bool],
        channel: str | None = "sms",
    ) -> list[dict[str, Any]]:
        async def fetch() -> list[dict[str, Any]] | None:
            response = await client.get(f"/v1/cases/{case_id}/deliveries", headers=OPS)
            items: list[dict[str, Any]] = [
                i for i in response.json() if channel is None or i["channel"] == channel
            ]
            return items if items and done(items) else None

        result: list[dict[str, Any]] = await eventually(fetch)
        return result

    return wait


@pytest.fixture
def receipts(client: Any) -> Callable[..., Any]:
    """Waits until a recipient's deliveries over `channel` (all: None) satisfy `done`."""

    async def wait(
        recipient_id: str,
        done: Callable[[list[dict[str, Any]]], bool],
        channel: str | None = "sms",
    ) -> list[dict[str, Any]]:
        async def fetch() -> list[dict[str, Any]] | None:
            response = await client.get(f"/v1/recipients/{recipient_id}/deliveries", headers=OPS)
            items: list[dict[str, Any]] = [
                i for i in response.json() if channel is None or i["channel"] == channel
            ]
            return items if items and done(items) else None

        result: list[dict[str, Any]] = await eventually(fetch)
        return result

    return wait


@pytest.fixture
def reporters_known(fresh_database: str) -> Callable[..., Any]:
    """Waits until notify knows `count` reporters of a case (intake's consumer group)."""

    async def wait(case_id: UUID, count: int) -> None:
        engine = create_engine(fresh_database, pool_size=1)
        try:

            async def known() -> bool:
                async with engine.connect() as conn:
                    found = await conn.execute(
                        text("SELECT count(*) FROM notify.reporters WHERE case_id = :c"),
                        {"c": case_id},
                    )
                    return bool(found.scalar_one() == count)

            await eventually(known)
        finally:
            await engine.dispose()

    return wait
