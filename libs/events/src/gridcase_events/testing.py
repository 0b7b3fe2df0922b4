"""A pytest plugin with the fixtures every gridcase test suite shares.

Integration tests run against a **real** Apache Kafka broker and PostgreSQL, found in
this order: ``KAFKA_BOOTSTRAP_SERVERS`` / ``DATABASE_URL`` from the environment (what
``make test`` sets); containers started by testcontainers when a Docker engine answers;
else the project's own ``deploy/local/infra.sh``. Each test session gets a fresh
database (dropped at the end) and each test its own topic namespace.

What makes that cheap (docs/testing.md): every service's migrations run once into a
template database, keyed by a hash of the migration files, and each test's database is
a copy of it (``CREATE DATABASE … TEMPLATE``); the next test's database and topic
namespace are made in the background while a test runs, and a finished test's are
dropped in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib
import os
import secrets
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from gridcase_events import topics
from gridcase_events.kit.db import async_url
from gridcase_events.kit.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA

REPO = Path(__file__).resolve().parents[4]


@dataclass(frozen=True)
class Servers:
    kafka: str
    database_url: str
    origin: str


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    database = os.environ.get("DATABASE_URL")
    if kafka and database:
        yield Servers(kafka, async_url(database), "environment")
        return
    if _docker_answers():
        from testcontainers.community.kafka import KafkaContainer
        from testcontainers.community.postgres import PostgresContainer

        with KafkaContainer().with_kraft() as k, PostgresContainer("postgres:15") as pg:
            yield Servers(
                kafka or k.get_bootstrap_server(),
                async_url(database or pg.get_connection_url(driver=None)),
                "testcontainers",
            )
        return
    script = REPO / "deploy" / "local" / "infra.sh"
    subprocess.run([str(script), "start"], check=True)  # noqa: S603
    yield Servers(kafka or DEFAULT_KAFKA, async_url(database or DEFAULT_DATABASE_URL), "local")


@pytest.fixture(scope="session")
async def database_url(servers: Servers) -> AsyncIterator[str]:
    """A fresh database for this test session, dropped afterwards."""
    url, admin_dsn = await _create_database(servers)
    yield url
    await _drop_database(url, admin_dsn)


@pytest.fixture(scope="session")
def kafka_bootstrap(servers: Servers) -> str:
    return servers.kafka


async def _new_namespace(kafka: str) -> str:
    ns = f"t{secrets.token_hex(4)}."
    await topics.ensure(kafka, namespace=ns, partitions=3)
    return ns


async def _delete_namespace(kafka: str, ns: str) -> None:
    with contextlib.suppress(Exception):
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
        await admin.start()
        try:
            await admin.delete_topics([topics.qualify(ns, s.name) for s in topics.specs()])
        finally:
            await admin.close()


@pytest.fixture(scope="session")
async def _namespaces(kafka_bootstrap: str) -> AsyncIterator[Ahead[str]]:
    ahead = Ahead(
        lambda: _new_namespace(kafka_bootstrap),
        lambda ns: _delete_namespace(kafka_bootstrap, ns),
    )
    yield ahead
    await ahead.close()


@pytest.fixture
async def namespace(_namespaces: Ahead[str]) -> AsyncIterator[str]:
    """A topic namespace of this test's own, with every topic created (and empty) in it."""
    ns = await _namespaces.take()
    yield ns
    _namespaces.dispose(ns)


@pytest.fixture(scope="module")
async def module_namespace(_namespaces: Ahead[str]) -> AsyncIterator[str]:
    """A topic namespace shared by the tests of one module that ask for it: for tests
    that only read, or that check that nothing was published (see docs/testing.md)."""
    ns = await _namespaces.take()
    yield ns
    _namespaces.dispose(ns)


async def eventually(check, *, timeout: float = 30.0, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """Polls an async `check` until it returns a truthy value (returned) or times out.

    For waiting on asynchronous systems (a broker, another process); never for
    simulating the passage of time, which tests inject with a clock.
    """
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last = None
    while loop.time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s (last value: {last!r})")


async def read_topic(bootstrap: str, topic: str, *, min_count: int, timeout: float = 30.0) -> list:  # type: ignore[type-arg]
    """Reads a topic from the beginning until at least `min_count` records arrived,
    then drains what else is already there."""
    import asyncio

    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list = []  # type: ignore[type-arg]
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            fetched = [r for rs in batch.values() for r in rs]
            records += fetched
            if len(records) >= min_count and not fetched:
                break
    finally:
        await consumer.stop()
    return records


T = TypeVar("T")


@dataclass(eq=False)
class Ahead(Generic[T]):
    """Makes the next test's resource (a database, a topic namespace) while the current
    test runs, and disposes of a finished test's in the background. Every test still
    gets one of its own; it only does not wait for it to be made or dropped."""

    make: Callable[[], Awaitable[T]]
    discard: Callable[[T], Awaitable[None]]
    _next: asyncio.Task[T] | None = field(default=None, init=False)
    _discarding: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    async def take(self) -> T:
        task = self._next or asyncio.ensure_future(self.make())
        self._next = None
        item = await task
        self._next = asyncio.ensure_future(self.make())
        return item

    def dispose(self, item: T) -> None:
        task = asyncio.ensure_future(self.discard(item))
        self._discarding.add(task)
        task.add_done_callback(self._discarding.discard)

    async def close(self) -> None:
        """Disposes of the resource made ahead and waits for every disposal."""
        if self._next is not None:
            with contextlib.suppress(Exception):
                self.dispose(await self._next)
        for task in list(self._discarding):
            await task


async def _create_database(servers: Servers, template: str | None = None) -> tuple[str, str]:
    base = make_url(servers.database_url)
    name = f"gridcase_test_{secrets.token_hex(4)}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    create = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
    conn = await asyncpg.connect(admin_dsn)
    try:
        for attempt in range(20):
            try:
                await conn.execute(create)
                break
            except asyncpg.exceptions.ObjectInUseError:
                # Another session's backend still leaves the template; it goes at once.
                if attempt == 19:
                    raise
                await asyncio.sleep(0.1 * (attempt + 1))
    finally:
        await conn.close()
    return base.set(database=name).render_as_string(hide_password=False), admin_dsn


def service_schemas() -> list[Any]:
    """Every service's :class:`~gridcase_events.kit.runtime.ServiceSchema` (its name and
    migrations), found as ``services/<name>/src/<package>/migrations``."""
    found = []
    for env in sorted(REPO.glob("services/*/src/*/migrations/env.py")):
        found.append(importlib.import_module(f"{env.parent.parent.name}.db").schema)
    return found


def migrations_digest(schemas: list[Any]) -> str:
    """A hash of every migration file: the template is rebuilt when one changes."""
    digest = hashlib.sha256()
    for schema in schemas:
        root = Path(schema.migrations)
        for path in sorted(root.rglob("*.py")):
            digest.update(f"{schema.name}/{path.relative_to(root)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


async def _template_database(servers: Servers) -> str:
    """The name of a database holding every service's schema migrated to head, built
    once per set of migration files (under a lock: sessions share the server)."""
    from gridcase_events.kit.db import create_engine, upgrade

    schemas = service_schemas()
    name = f"gridcase_template_{migrations_digest(schemas)}"
    base = make_url(servers.database_url)
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtext('gridcase.test.template'))")
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return name
        building = f"{name}_building"
        await conn.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{building}"')
        url = base.set(database=building).render_as_string(hide_password=False)
        engine = create_engine(url, pool_size=1)
        try:
            for schema in schemas:
                await upgrade(engine, schema=schema.name, script_location=schema.migrations)
        finally:
            await engine.dispose()
        # Nobody connects to a template: a connection would stop its copies.
        for attempt in range(20):
            try:
                await conn.execute(
                    f'ALTER DATABASE "{building}" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true'
                )
                await conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
                break
            except asyncpg.exceptions.ObjectInUseError:
                if attempt == 19:
                    raise
                await asyncio.sleep(0.1)
        return name
    finally:
        with contextlib.suppress(Exception):
            await conn.execute("SELECT pg_advisory_unlock(hashtext('gridcase.test.template'))")
        await conn.close()


@pytest.fixture(scope="session")
async def database_template(servers: Servers) -> str:
    """A database with every service's migrations applied, to copy per test."""
    return await _template_database(servers)


@pytest.fixture(scope="session")
async def _databases(servers: Servers, database_template: str) -> AsyncIterator[Ahead[str]]:
    admin: dict[str, str] = {}

    async def make() -> str:
        url, admin["dsn"] = await _create_database(servers, database_template)
        return url

    ahead = Ahead(make, lambda url: _drop_database(url, admin["dsn"]))
    yield ahead
    await ahead.close()


@pytest.fixture
async def fresh_database(_databases: Ahead[str]) -> AsyncIterator[str]:
    """A database of this test's own, dropped after: a copy of the template, so every
    service's schema is migrated and holds only what its migrations put there."""
    url = await _databases.take()
    yield url
    _databases.dispose(url)


@pytest.fixture(scope="module")
async def module_database(_databases: Ahead[str]) -> AsyncIterator[str]:
    """A database shared by the tests of one module that ask for it: for tests that
    only read, or that check that nothing was stored (see docs/testing.md)."""
    url = await _databases.take()
    yield url
    _databases.dispose(url)


async def _drop_database(url: str, admin_dsn: str) -> None:
    """Drops a test database; a backend of another role (autovacuum, say) may hold it
    for a moment, so try a few times, then leave it rather than fail the test."""
    import warnings

    name = make_url(url).database
    for attempt in range(10):
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except asyncpg.exceptions.InsufficientPrivilegeError:
            await asyncio.sleep(0.2 * (attempt + 1))
        finally:
            await conn.close()
    warnings.warn(f"could not drop test database {name}; drop it by hand", stacklevel=2)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def running(app: Any) -> AsyncIterator[Any]:
    """Runs a service app's real lifespan (migrations, producer, relay, consumers) and
    yields an httpx client talking to it in-process."""
    import httpx

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    query: str = ""  # the raw query string, still percent-encoded

    def json(self) -> Any:
        import json

        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    """One scripted answer of :class:`HttpSink`: a status, headers, a JSON body (the
    default ``{"message_id": "sink-<n>"}`` when None), and a delay before answering
    (to make a client time out; cut short when the sink stops)."""

    status: int = 200
    headers: dict[str, str] | None = None
    json: Any = None
    delay: float = 0.0


class HttpSink:
    """A real HTTP server on a loopback port that records every request and answers
    with scripted responses (default 200 ``{"message_id": ...}``)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[Recorded] = []
        self.script: list[tuple[int, dict[str, str]] | Reply] = []
        self._server: Any = None
        self._task: Any = None
        self._stopping: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(
        self, status: int, *, times: int = 1, headers: dict[str, str] | None = None
    ) -> None:
        self.script += [(status, headers or {})] * times

    def reply_next(
        self,
        status: int = 200,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        times: int = 1,
    ) -> None:
        """Scripts the next `times` answers (body, headers, delay) in order."""
        self.script += [Reply(status, headers, json, delay)] * times

    async def _app(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.requests.append(
            Recorded(
                method=scope["method"],
                path=scope["path"],
                headers={k.decode().lower(): v.decode() for k, v in scope["headers"]},
                body=body,
                query=scope.get("query_string", b"").decode(),
            )
        )
        reply = self.script.pop(0) if self.script else Reply()
        if isinstance(reply, tuple):
            reply = Reply(status=reply[0], headers=reply[1])
        status, headers = reply.status, reply.headers or {}
        if reply.json is None:
            payload = b'{"message_id": "sink-%d"}' % len(self.requests)
        else:
            import json

            payload = json.dumps(reply.json, ensure_ascii=False).encode()
        if reply.delay:
            import asyncio

            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=reply.delay)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")]
                + [(k.encode(), v.encode()) for k, v in headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def start(self) -> None:
        import asyncio

        import uvicorn

        self._stopping = asyncio.Event()
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            lifespan="off",
            interface="asgi3",
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:  # noqa: ASYNC110 - uvicorn offers no event
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self._stopping.set()
        self._server.should_exit = True
        await self._task


@pytest.fixture
async def http_sink() -> AsyncIterator[HttpSink]:
    sink = HttpSink()
    await sink.start()
    yield sink
    await sink.stop()


def bearer(
    sub: str,
    role: str,
    area_code: str | None = None,
    department_code: str | None = None,
    *,
    secret: str | None = None,
) -> dict[str, str]:
    """An Authorization header for a staff token (the development secret by default)."""
    from datetime import UTC, datetime, timedelta

    from gridcase_events.kit import auth
    from gridcase_events.kit.settings import DEV_JWT_SECRET

    token = auth.mint(
        secret or DEV_JWT_SECRET,
        sub=sub,
        role=role,
        area_code=area_code,
        department_code=department_code,
        now=datetime.now(UTC),
        ttl=timedelta(hours=1),
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def spans() -> Iterator[Any]:
    """``spans(service)`` attaches an in-memory exporter to that service's tracer
    provider and returns it; the exporters are shut down after the test."""
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from gridcase_events.kit import tracing

    exporters: list[InMemorySpanExporter] = []

    def capture(service: str) -> InMemorySpanExporter:
        exporter = InMemorySpanExporter()
        tracing.add_span_processor(service, SimpleSpanProcessor(exporter))
        exporters.append(exporter)
        return exporter

    yield capture
    # A provider keeps its processors; a shut-down exporter drops what it is given.
    for exporter in exporters:
        exporter.shutdown()


class LogLines(list):  # type: ignore[type-arg]
    """The JSON log lines written while the test ran, parsed."""

    def where(self, **fields: Any) -> list[dict[str, Any]]:
        return [line for line in self if all(line.get(k) == v for k, v in fields.items())]


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    """Captures what the services log (the structlog JSON lines) after
    :func:`gridcase_events.kit.logs.configure` ran; configures it for a test service
    first if nothing did."""
    import json
    import logging

    import structlog

    from gridcase_events.kit import logs

    def structlog_formatter() -> logging.Formatter | None:
        for candidate in logging.getLogger().handlers:
            if isinstance(candidate.formatter, structlog.stdlib.ProcessorFormatter):
                return candidate.formatter
        return None

    formatter = structlog_formatter()
    if formatter is None:
        logs.configure(service="test")
        formatter = structlog_formatter()
    root = logging.getLogger()
    lines = LogLines()

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            with contextlib.suppress(ValueError):
                lines.append(json.loads(self.format(record)))

    handler = Capture()
    handler.setFormatter(formatter)
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that reaches the broker or the database (through :func:`servers`) is an
    integration test: ``pytest -m "not integration"`` (``make test-unit``) runs the rest."""
    for item in items:
        if "servers" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
