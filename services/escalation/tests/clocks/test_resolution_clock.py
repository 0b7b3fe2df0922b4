"""The resolution deadline starts at assignment and is queryable within scope."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from escalation.config import EscalationSettings
from escalation.main import create_app
from gridcase_events import envelope, payloads, topics
from gridcase_events.kit.clock import ManualClock
from gridcase_events.producer import create_producer
from gridcase_events.testing import bearer, eventually, running

pytestmark = pytest.mark.integration

ASSIGNED_AT = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
MEMBER = bearer("gm111a", "grid_member", "510302001001001")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(ASSIGNED_AT + timedelta(minutes=30))


@pytest.fixture
async def client(
    fresh_database: str, kafka_bootstrap: str, namespace: str, clock: ManualClock
) -> AsyncIterator[Any]:
    settings = EscalationSettings(
        env="development",
        database_url=fresh_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
    )
    async with running(create_app(settings, clock=clock)) as c:
        yield c


async def assign(kafka_bootstrap: str, namespace: str, *, priority: str, repeat: int = 1) -> str:
    case_id = envelope.new_id()
    event = envelope.build(
        payloads.CaseAssigned(
            case_id=case_id,
            tracking_no="GC-20261121-CLOCK1",
            category_code=None,
            priority=priority,
            channel="hotline",
            assignee_id="gm111a",
            assignee_role="grid_member",
            post="A",
            reason="A post",
            grid_code="510302001001001",
            summary="垃圾满溢",
            assigned_at=ASSIGNED_AT,
        ),
        subject=str(case_id),
        source="dispatch",
        tenant="510302",
        correlation_id="c",
        time=ASSIGNED_AT,
    )
    producer = create_producer(kafka_bootstrap, client_id="escalation-test")
    await producer.start()
    try:
        for _ in range(repeat):
            await (
                await producer.send(
                    topics.qualify(namespace, topics.DISPATCH),
                    key=str(case_id).encode(),
                    value=event.to_bytes(),
                )
            )
    finally:
        await producer.stop()
    return str(case_id)


async def clocks_of(client: Any, case_id: str) -> list[dict[str, Any]]:
    async def fetch() -> list[dict[str, Any]] | None:
        response = await client.get(f"/v1/cases/{case_id}/clocks", headers=MEMBER)
        return response.json() if response.status_code == 200 else None

    result: list[dict[str, Any]] = await eventually(fetch)
    return result


@pytest.mark.parametrize(
    ("priority", "limit"), [("normal", timedelta(days=7)), ("urgent", timedelta(hours=2))]
)
async def test_resolution_deadline_follows_the_priority(
    client: Any, kafka_bootstrap: str, namespace: str, priority: str, limit: timedelta
) -> None:
    case_id = await assign(kafka_bootstrap, namespace, priority=priority)

    [clock] = await clocks_of(client, case_id)

    assert clock["kind"] == "resolution"
    assert datetime.fromisoformat(clock["due_at"]) == ASSIGNED_AT + limit
    assert clock["remaining_seconds"] == int((limit - timedelta(minutes=30)).total_seconds())
    assert clock["breached"] is False


async def test_a_passed_deadline_reads_as_breached(
    client: Any, kafka_bootstrap: str, namespace: str, clock: ManualClock
) -> None:
    case_id = await assign(kafka_bootstrap, namespace, priority="urgent", repeat=2)
    await clocks_of(client, case_id)

    clock.advance(timedelta(hours=2))
    [after] = await clocks_of(client, case_id)

    assert after["breached"] is True
    assert after["remaining_seconds"] == -30 * 60


async def test_clocks_are_visible_only_within_scope(
    client: Any, kafka_bootstrap: str, namespace: str
) -> None:
    case_id = await assign(kafka_bootstrap, namespace, priority="normal")
    await clocks_of(client, case_id)

    other_grid = bearer("gm211a", "grid_member", "510302002001001")
    assert (await client.get(f"/v1/cases/{case_id}/clocks", headers=other_grid)).status_code == 403
    assert (await client.get(f"/v1/cases/{case_id}/clocks")).status_code == 401
    unknown = envelope.new_id()
    assert (await client.get(f"/v1/cases/{unknown}/clocks", headers=MEMBER)).status_code == 404
