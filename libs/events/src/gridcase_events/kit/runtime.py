"""The runtime of one service process and the FastAPI app around it.

:func:`create_service_app` wires what every service has — engine, migrations, topics,
the idempotent producer, the outbox relay, consumers and background workers — into a
lifespan, and adds ``/healthz``, ``/readyz``, ``/metrics``, the request middleware, the
request-body limit and error handlers. A service supplies its schema, routers, handlers and workers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar, cast

import structlog
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel
from sqlalchemy import MetaData, Table, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gridcase_events import envelope, outbox, topics
from gridcase_events.consumer import ConsumerRunner, Handler
from gridcase_events.inbox import inbox_table
from gridcase_events.kit import db, logs, tracing
from gridcase_events.kit.bodylimit import BodyLimit, LimitFor, default_limits
from gridcase_events.kit.clock import Clock, SystemClock
from gridcase_events.kit.http import (
    RequestContextMiddleware,
    bind_case_id,
    health_router,
    install_error_handlers,
)
from gridcase_events.kit.pii import PiiCipher, PiiUnreadable, check_readable
from gridcase_events.kit.settings import PlatformSettings
from gridcase_events.producer import create_producer

log = structlog.get_logger("gridcase.runtime")

S = TypeVar("S", bound=PlatformSettings)
T = TypeVar("T")


@dataclass(frozen=True)
class ConsumerSpec:
    """One consumer group of a service: the topics it reads and its handlers by type."""

    name: str
    topics: Sequence[str]
    handlers: Mapping[str, Handler]


class Worker:
    """A background loop owned by the service (e.g. a delivery sender or a scheduler)."""

    async def run(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class ServiceSchema:
    """A service's own database schema: its metadata (outbox and inbox included)."""

    name: str
    metadata: MetaData
    outbox: Table
    inbox: Table
    migrations: Path

    @classmethod
    def create(cls, name: str, migrations: Path) -> ServiceSchema:
        metadata = db.make_metadata(name)
        return cls(
            name=name,
            metadata=metadata,
            outbox=outbox.outbox_table(metadata),
            inbox=inbox_table(metadata),
            migrations=migrations,
        )


class StateNotReady(RuntimeError):
    """The runtime's state is read before start-up built it."""


@dataclass
class Runtime(Generic[S, T]):
    """Everything a running service holds; on ``app.state.runtime``.

    ``S`` is the service's own settings class and ``T`` its state: what the service
    builds at start-up beside the kit's parts (the routing index, the attachment
    storage, the notification channels). Each service names its runtime type once
    (``DispatchRuntime = Runtime[DispatchSettings, DispatchState]``) in its ``deps.py``.
    """

    service: str
    settings: S
    schema: ServiceSchema
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    producer: AIOKafkaProducer
    relay: outbox.OutboxRelay
    pii: PiiCipher
    consumers: list[ConsumerRunner] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    started: bool = False
    _state: T | None = field(default=None, init=False, repr=False)

    @property
    def state(self) -> T:
        if self._state is None:
            raise StateNotReady(f"{self.service}: the runtime state is built at start-up")
        return self._state

    @state.setter
    def state(self, value: T) -> None:
        self._state = value

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """The unit of work of a request: commits on success, then nudges the relay."""
        async with self.sessionmaker() as session, session.begin():
            yield session
        self.relay.wake()

    async def emit(
        self,
        session: AsyncSession,
        payload: BaseModel,
        *,
        subject: str,
        correlation_id: str,
        causation_id: str | None = None,
        tenant: str | None = None,
    ) -> envelope.Envelope:
        """Publishes an event through the outbox, in the caller's transaction. `tenant`:
        the district the event's case belongs to (default: the deployment's own,
        ``GRIDCASE_TENANT``; docs/adr/0005-districts-side-by-side.md)."""
        event = self.event(
            payload,
            subject=subject,
            correlation_id=correlation_id,
            causation_id=causation_id,
            tenant=tenant,
        )
        await outbox.enqueue(session, self.schema.outbox, event)
        return event

    def event(
        self,
        payload: BaseModel,
        *,
        subject: str,
        correlation_id: str,
        causation_id: str | None = None,
        tenant: str | None = None,
    ) -> envelope.Envelope:
        """The event :meth:`emit` would publish, built but not enqueued (for callers
        that enqueue several at once, :func:`gridcase_events.outbox.enqueue_rows`)."""
        return envelope.build(
            payload,
            subject=subject,
            source=self.service,
            tenant=tenant or self.settings.tenant,
            correlation_id=correlation_id,
            causation_id=causation_id,
            time=self.clock.now(),
        )

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {"startup": "ok" if self.started else "starting"}
        try:
            async with asyncio.timeout(2):
                async with self.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        try:
            async with asyncio.timeout(2):
                await self.producer.client.fetch_all_metadata()
            checks["kafka"] = "ok"
        except Exception as exc:
            checks["kafka"] = f"unreachable: {type(exc).__name__}"
        if self.started:
            dead = [c.name for c in self.consumers if not c.running]
            dead += [t.get_name() for t in self.tasks if t.done()]
            checks["workers"] = "ok" if not dead else f"stopped: {', '.join(dead)}"
        return checks


async def _retry(what: str, attempt: Callable[[], Awaitable[Any]], timeout: float) -> Any:
    """Start-up steps wait for the database and broker for up to `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = 0.5
    while True:
        try:
            return await attempt()
        except Exception as exc:
            if loop.time() + delay > deadline:
                raise
            log.warning("waiting for a dependency", step=what, error=str(exc)[:200])
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


def _build_runtime(
    *, service: str, settings: S, schema: ServiceSchema, clock: Clock
) -> Runtime[S, Any]:
    """The engine, the producer and the relay of one process (nothing connects yet)."""
    engine = db.create_engine(
        settings.database_url.get_secret_value(),
        pool_size=settings.db_pool_size,
        pre_ping=settings.db_pre_ping,
        application_name=f"gridcase-{service}",
    )
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    producer = create_producer(
        settings.kafka_bootstrap_servers,
        client_id=f"gridcase-{service}",
        linger_ms=settings.producer_linger_ms,
    )
    relay = outbox.OutboxRelay(
        service=service,
        table=schema.outbox,
        sessionmaker=sessionmaker,
        producer=producer,
        namespace=settings.topic_namespace,
        clock=clock,
    )
    return Runtime(
        service=service,
        settings=settings,
        schema=schema,
        clock=clock,
        engine=engine,
        sessionmaker=sessionmaker,
        producer=producer,
        relay=relay,
        pii=PiiCipher(settings.pii_key_value()),
    )


async def _prepare(runtime: Runtime[Any, Any]) -> None:
    """Migrations, the personal-data key check, the topics and the producer, each waiting
    for the database or the broker up to the start-up timeout."""
    settings, schema, engine = runtime.settings, runtime.schema, runtime.engine
    timeout = settings.startup_timeout
    await _retry(
        "migrate",
        lambda: db.upgrade(engine, schema=schema.name, script_location=schema.migrations),
        timeout,
    )
    try:
        async with engine.connect() as conn:
            await check_readable(conn, schema=schema.name, cipher=runtime.pii)
    except PiiUnreadable as exc:
        log.error("cannot start: stored personal data unreadable", reason=str(exc))
        raise
    if settings.create_topics:
        await _retry(
            "topics",
            lambda: topics.ensure(
                settings.kafka_bootstrap_servers,
                namespace=settings.topic_namespace,
                partitions=settings.topic_partitions,
            ),
            timeout,
        )
    await _retry("producer", runtime.producer.start, timeout)


async def _start_workers(
    runtime: Runtime[Any, Any], specs: Sequence[ConsumerSpec], workers: Sequence[Worker]
) -> None:
    """The service's consumer groups and background workers."""
    settings = runtime.settings
    for spec in specs:
        runner = ConsumerRunner(
            name=spec.name,
            topics=spec.topics,
            handlers=spec.handlers,
            sessionmaker=runtime.sessionmaker,
            inbox=runtime.schema.inbox,
            producer=runtime.producer,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            namespace=settings.topic_namespace,
            after_commit=runtime.relay.wake,
            clock=runtime.clock,
            service=runtime.service,
        )
        await _retry(f"consumer {spec.name}", runner.start, settings.startup_timeout)
        runtime.consumers.append(runner)
    for worker in workers:
        runtime.workers.append(worker)
        runtime.tasks.append(
            asyncio.create_task(worker.run(), name=f"{runtime.service}-{type(worker).__name__}")
        )


async def _shut_down(runtime: Runtime[Any, Any]) -> None:
    """Workers and consumers finish what they hold, the relay and the producer stop, the
    engine closes, and the traces are flushed."""
    runtime.started = False
    log.info("service stopping")
    for worker in runtime.workers:
        worker.stop()
    # Each finishes its record in hand and leaves its group: all at once.
    stopped = await asyncio.gather(
        *(runner.stop() for runner in runtime.consumers), return_exceptions=True
    )
    for failure in stopped:
        if isinstance(failure, BaseException):
            raise failure
    runtime.relay.stop()
    if runtime.tasks:
        _done, pending = await asyncio.wait(runtime.tasks, timeout=15)
        for task in pending:
            task.cancel()
    await runtime.producer.stop()
    await runtime.engine.dispose()
    if tracing.exporting():
        await asyncio.to_thread(tracing.flush, runtime.service)
    log.info("service stopped")


def create_service_app(
    *,
    service: str,
    title: str,
    description: str,
    settings: S,
    schema: ServiceSchema,
    routers: Sequence[APIRouter],
    consumers: Callable[[Runtime[S, Any]], Sequence[ConsumerSpec]] = lambda rt: (),
    workers: Callable[[Runtime[S, Any]], Sequence[Worker]] = lambda rt: (),
    state: Callable[[Runtime[S, Any]], Awaitable[Any]] | None = None,
    clock: Clock | None = None,
    version: str = "0.1.0",
    body_limit: LimitFor | None = None,
) -> FastAPI:
    """The service's app. `state` builds the runtime's typed state after migrations and
    before consumers and workers start. ``settings.role`` (``GRIDCASE_ROLE``) picks what
    runs: `api` no consumers or workers, `worker` no routers but the health ones, `all`
    everything."""
    logs.configure(service=service, level=settings.log_level, fmt=settings.log_format)
    tracing.provider(service)
    the_clock = clock or SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = _build_runtime(service=service, settings=settings, schema=schema, clock=the_clock)
        app.state.runtime = runtime
        try:
            await _prepare(runtime)
            if state is not None:
                runtime.state = await state(runtime)
            # Every role relays its outbox: what the API and the consumers write must leave.
            runtime.tasks.append(
                asyncio.create_task(runtime.relay.run(), name=f"{service}-outbox-relay")
            )
            if settings.role != "api":
                await _start_workers(runtime, consumers(runtime), workers(runtime))
            runtime.started = True
            log.info(
                "service started",
                role=settings.role,
                topic_namespace=settings.topic_namespace,
                trace_export="otlp" if tracing.exporting() else "off",
            )
            yield
        finally:
            await _shut_down(runtime)

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        dependencies=[Depends(bind_case_id)],
    )
    # Inside the request context (a 413 is logged and counted), around everything else.
    app.add_middleware(BodyLimit, limit_for=body_limit or default_limits(settings))
    app.add_middleware(RequestContextMiddleware, service=service)
    install_error_handlers(app)
    app.include_router(health_router())
    for router in routers if settings.role != "worker" else ():  # a worker serves health only
        app.include_router(router)
    return app


def get_runtime(request: Request) -> Runtime[Any, Any]:
    return cast(Runtime[Any, Any], request.app.state.runtime)


RuntimeDep = Annotated[Runtime[Any, Any], Depends(get_runtime)]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The unit of work of a request: one transaction around the endpoint, committed
    when it returns (before the answer is sent, so a failed commit is an error answer,
    never a success that was not stored), rolled back when it raises; the outbox relay
    is woken after the commit. Services never commit."""
    runtime = get_runtime(request)
    async with runtime.transaction() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
