import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gridcase_events import envelope, payloads, topics
from gridcase_events.kit import signing
from gridcase_events.kit.clock import ManualClock
from gridcase_events.kit.db import create_engine
from gridcase_events.producer import create_producer
from gridcase_events.registry import EventSpec, lookup
from gridcase_events.testing import bearer, eventually, free_port, read_topic, running
from intake.cases.service import PUBLIC_STATUS
from intake.config import IntakeSettings
from intake.main import create_app

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
SECRET = "hotline-secret-current"
OLD_SECRET = "hotline-secret-previous"
BATCH = "/v1/hotline/tickets:batch"


def registry_specs() -> list[EventSpec]:
    return [lookup(name, 1) for name in PUBLIC_STATUS]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Overridden by a test module (or parametrized) to run intake with other settings."""
    return {}


DEMO_BOX = "104.72,29.30,104.84,29.42"  # the demo district with about 5 km around it


def _settings(database_url: str, kafka_bootstrap: str, namespace: str) -> dict[str, Any]:
    return {
        "env": "development",
        "database_url": database_url,
        "kafka_bootstrap_servers": kafka_bootstrap,
        "topic_namespace": namespace,
        "hotline_secrets_raw": f"{SECRET},{OLD_SECRET}",
        "max_body_bytes": 64 * 1024,
        "batch_max_body_bytes": 1024 * 1024,
        # The hotline's tests run with the demo district's box as the override
        # (INTAKE_DISTRICT_BOUNDS); the boundary learned from the directory's grids is
        # tested in tests/catalogue/test_boundary.py and test_district.py.
        "district_bounds": DEMO_BOX,
    }


@pytest.fixture
def settings(
    fresh_database: str, kafka_bootstrap: str, namespace: str, settings_overrides: dict[str, Any]
) -> IntakeSettings:
    values = _settings(fresh_database, kafka_bootstrap, namespace)
    values.update(settings_overrides)
    return IntakeSettings(**values)


@pytest.fixture
async def client(settings: IntakeSettings, clock: ManualClock) -> AsyncIterator[Any]:
    async with running(create_app(settings, clock=clock)) as c:
        yield c


@pytest.fixture
async def db(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(fresh_database, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
def ticket() -> Callable[..., dict[str, Any]]:
    def make(**overrides: Any) -> dict[str, Any]:
        body = {
            "ticket_no": "12345-20261121-0001",
            "received_at": "2026-11-21T17:25:00+08:00",
            "caller_name": "张先生",
            "caller_phone": "13912345678",
            "content": "桂花路1号1栋楼下垃圾桶满溢",
            "category_hint": "environment/garbage-overflow",
            "address": "示范区东城街道桂花路1号1栋",
            "lat": 29.355,
            "lon": 104.7725,
            "urgency": "normal",
        }
        body.update(overrides)
        return body

    return make


@pytest.fixture
def post_signed(client: Any, clock: ManualClock) -> Callable[..., Any]:
    """POSTs `body` (JSON, or raw bytes) to `path`, signed as the 12345 platform does."""
    return _signed_poster(client, clock)


def _signed_poster(client: Any, clock: ManualClock) -> Callable[..., Any]:
    async def do(
        path: str,
        body: Any,
        *,
        secret: str = SECRET,
        at: datetime | None = None,
        **headers: str,
    ) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        signed = signing.sign(secret, raw, now=at or clock.now())
        return await client.post(
            path,
            content=raw,
            headers={"Content-Type": "application/json", signing.HEADER: signed, **headers},
        )

    return do


# --- wish walls, patrols, visits, attachments -------------------------------------

PUBLIC_BASE = "https://intake.gridcase.test"
COMMUNITY = "510302001002"
GRID = "510302001002003"
OTHER_GRID = "510302001002004"
OTHER_COMMUNITY = "510302001009"


@pytest.fixture
def start_intake(
    fresh_database: str, kafka_bootstrap: str, namespace: str, clock: ManualClock, tmp_path: Any
) -> Callable[..., Any]:
    """Starts intake with the channels' settings (overridable); yields a client whose
    ``.app`` is the running app (to talk to it from other client addresses)."""

    @contextlib.asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Any]:
        settings = IntakeSettings(
            **{
                "env": "development",
                "database_url": fresh_database,
                "kafka_bootstrap_servers": kafka_bootstrap,
                "topic_namespace": namespace,
                "public_base_url": PUBLIC_BASE,
                "attachments_dir": tmp_path / "attachments",
                **overrides,
            }
        )
        app = create_app(settings, clock=clock)
        async with running(app) as c:
            c.app = app
            yield c

    return start


@pytest.fixture
async def intake(start_intake: Any) -> AsyncIterator[Any]:
    async with start_intake() as c:
        yield c


@pytest.fixture(scope="module")
async def shared_intake(
    module_database: str,
    kafka_bootstrap: str,
    module_namespace: str,
    shared_clock: ManualClock,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Any]:
    """As `intake`, once for a module's tests that only read (docs/testing.md)."""
    settings = IntakeSettings(
        env="development",
        database_url=module_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=module_namespace,
        public_base_url=PUBLIC_BASE,
        attachments_dir=tmp_path_factory.mktemp("attachments"),
    )
    app = create_app(settings, clock=shared_clock)
    async with running(app) as c:
        c.app = app
        yield c


@pytest.fixture
def wall(intake: Any) -> Callable[..., Any]:
    """Creates a wall (as admin) and returns its JSON."""

    async def make(wall_id: str = "W-001", **overrides: Any) -> dict[str, Any]:
        body = {
            "wall_id": wall_id,
            "community_code": COMMUNITY,
            "name": "桂花巷心愿墙",
            "location": {"lat": 29.355, "lon": 104.7725},
            **overrides,
        }
        response = await intake.post("/v1/walls", json=body, headers=bearer("admin-1", "admin"))
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


@pytest.fixture
def intake_events(kafka_bootstrap: str, namespace: str) -> Callable[..., Any]:
    """The events intake published so far (at least `min_count`), decoded."""

    async def read(min_count: int) -> list[dict[str, Any]]:
        records = await read_topic(
            kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=min_count
        )
        return [json.loads(r.value) for r in records]

    return read


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server on a loopback port (moto's standalone server)."""
    moto_server = pytest.importorskip("moto.server")
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def push(post_signed: Callable[..., Any]) -> Callable[..., Any]:
    """Pushes one ticket."""
    return _pusher(post_signed)


def _pusher(post_signed: Callable[..., Any]) -> Callable[..., Any]:
    async def do(body: Any, **kwargs: Any) -> Any:
        return await post_signed("/v1/hotline/tickets", body, **kwargs)

    return do


@pytest.fixture
def push_batch(post_signed: Callable[..., Any]) -> Callable[..., Any]:
    """Pushes a batch of tickets (a list, or a whole body as dict or bytes)."""
    return _batch_pusher(post_signed)


def _batch_pusher(post_signed: Callable[..., Any]) -> Callable[..., Any]:
    async def do(tickets: Any, **kwargs: Any) -> Any:
        body = {"tickets": tickets} if isinstance(tickets, list) else tickets
        return await post_signed(BATCH, body, **kwargs)

    return do


# --- one intake for a module's refusals ----------------------------------------------
# The many cases of one refusal (a 4xx that stores nothing) share one intake (default
# settings, the same clock) and its database within their module (docs/testing.md).


@pytest.fixture(scope="module")
def shared_clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture(scope="module")
async def shared_client(
    module_database: str, kafka_bootstrap: str, module_namespace: str, shared_clock: ManualClock
) -> AsyncIterator[Any]:
    settings = IntakeSettings(**_settings(module_database, kafka_bootstrap, module_namespace))
    async with running(create_app(settings, clock=shared_clock)) as c:
        yield c


@pytest.fixture(scope="module")
async def shared_db(module_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(module_database, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
def shared_post_signed(shared_client: Any, shared_clock: ManualClock) -> Callable[..., Any]:
    return _signed_poster(shared_client, shared_clock)


@pytest.fixture(scope="module")
def shared_push(shared_post_signed: Callable[..., Any]) -> Callable[..., Any]:
    return _pusher(shared_post_signed)


@pytest.fixture(scope="module")
def shared_push_batch(shared_post_signed: Callable[..., Any]) -> Callable[..., Any]:
    return _batch_pusher(shared_post_signed)


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = create_producer(kafka_bootstrap, client_id="intake-test")
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
def dispatch_event(producer: AIOKafkaProducer, namespace: str, client: Any) -> Callable[..., Any]:
    """Publishes a dispatch event about a case, as dispatch would, and waits until
    intake's public status shows it."""

    async def publish(
        event_type: str, *, case_id: str, tracking_no: str, version: int, **fields: Any
    ) -> None:
        spec = next(s for s in registry_specs() if s.type == event_type)
        data: dict[str, Any] = {
            "case_id": case_id,
            "tracking_no": tracking_no,
            "category_code": "environment/garbage-overflow",
            "priority": "normal",
            "channel": "hotline",
            "case_version": version,
            "actor_id": "gm111a",
            "actor_role": "grid_member",
            "at": NOW,
        }
        data.update(fields)
        payload = spec.model.model_validate(
            {k: v for k, v in data.items() if k in spec.model.model_fields}
        )
        event = envelope.build(
            payload,
            subject=case_id,
            source="dispatch",
            tenant="510302",
            correlation_id=f"corr-{case_id}",
            time=NOW,
        )
        await (
            await producer.send(
                topics.qualify(namespace, topics.DISPATCH),
                key=case_id.encode(),
                value=event.to_bytes(),
            )
        )

        async def shown() -> bool:
            response = await client.get(f"/v1/public/cases/{tracking_no}")
            return bool(response.json()["status"] == PUBLIC_STATUS[event_type])

        await eventually(shown)

    return publish


# --- the districts' boundary, as the directory announces it -------------------------

DEMO_AREAS = Path(__file__).resolve().parents[3] / "deploy" / "demo" / "areas.geojson"


@pytest.fixture(scope="session")
def demo_grids() -> list[tuple[str, dict[str, Any]]]:
    """The demo city's grids and their polygons, as dispatch imports them."""
    features = json.loads(DEMO_AREAS.read_text())["features"]
    return [
        (f["properties"]["code"], f["geometry"])
        for f in features
        if f["properties"]["level"] == "grid"
    ]


@pytest.fixture
def publish_grids(
    producer: AIOKafkaProducer, namespace: str, fresh_database: str
) -> Callable[..., Any]:
    """Publishes grids with their polygons on the directory topic, as dispatch announces
    an import, and waits until intake's projection holds them all."""

    async def publish(grids: list[tuple[str, dict[str, Any]]]) -> None:
        for code, geometry in grids:
            event = envelope.build(
                payloads.AreaUpserted(
                    code=code,
                    name=f"网格{code[-3:]}",
                    level="grid",
                    parent_code=code[:12],
                    kind="residential",
                    geometry=geometry,
                ),
                subject=f"area:{code}",
                source="dispatch",
                tenant=code[:6],
                correlation_id="directory-import",
                time=NOW,
            )
            await (
                await producer.send(
                    topics.qualify(namespace, topics.DIRECTORY),
                    key=event.subject.encode(),
                    value=event.to_bytes(),
                )
            )
        engine = create_engine(fresh_database, pool_size=1)
        try:

            async def known() -> bool:
                async with engine.connect() as conn:
                    found = await conn.execute(
                        text(
                            "SELECT count(*) FROM intake.areas"
                            " WHERE code = ANY(:codes) AND geometry IS NOT NULL"
                        ),
                        {"codes": [code for code, _ in grids]},
                    )
                    return bool(found.scalar_one() == len(grids))

            await eventually(known)
        finally:
            await engine.dispose()

    return publish
