"""The runtime of one service process and the FastAPI app around it.

:func:`create_service_app` wires what every service has — engine, migrations, topics,
the idempotent producer, the outbox relay, consumers and background workers — into a
lifespan, and adds ``/healthz``, ``/readyz``, ``/metrics``, the request middleware and
error handlers. A service supplies its schema, routers, handlers and workers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, cast

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
from gridcase_events.kit.clock import Clock, SystemClock
from gridcase_events.kit.http import (
    RequestContextMiddleware,
    bind_case_id,
    health_router,
    install_error_handlers,
)
from gridcase_events.kit.pii import PiiCipher
from gridcase_events.kit.settings import PlatformSettings
from gridcase_events.producer import create_producer

log = structlog.get_logger("gridcase.runtime")


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


@dataclass
class Runtime:
    """Everything a running service holds; on ``app.state.runtime``."""

    service: str
    settings: PlatformSettings
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
    extras: dict[str, Any] = field(default_factory=dict)

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
    ) -> envelope.Envelope:
        """Publishes an event through the outbox, in the caller's transaction."""
        event = envelope.build(
            payload,
            subject=subject,
            source=self.service,
            tenant=self.settings.tenant,
            correlation_id=correlation_id,
            causation_id=causation_id,
            time=self.clock.now(),
        )
        await outbox.enqueue(session, self.schema.outbox, event)
        return event

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


def create_service_app(
    *,
    service: str,
    title: str,
    description: str,
    settings: PlatformSettings,
    schema: ServiceSchema,
    routers: Sequence[APIRouter],
    consumers: Callable[[Runtime], Sequence[ConsumerSpec]] = lambda rt: (),
    workers: Callable[[Runtime], Sequence[Worker]] = lambda rt: (),
    on_startup: Callable[[Runtime], Awaitable[None]] | None = None,
    clock: Clock | None = None,
    version: str = "0.1.0",
) -> FastAPI:
    logs.configure(service=service, level=settings.log_level, fmt=settings.log_format)
    tracing.provider(service)
    the_clock = clock or SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = db.create_engine(
            settings.database_url.get_secret_value(), application_name=f"gridcase-{service}"
        )
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        producer = create_producer(
            settings.kafka_bootstrap_servers, client_id=f"gridcase-{service}"
        )
        relay = outbox.OutboxRelay(
            service=service,
            table=schema.outbox,
            sessionmaker=sessionmaker,
            producer=producer,
            namespace=settings.topic_namespace,
            clock=the_clock,
        )
        runtime = Runtime(
            service=service,
            settings=settings,
            schema=schema,
            clock=the_clock,
            engine=engine,
            sessionmaker=sessionmaker,
            producer=producer,
            relay=relay,
            pii=PiiCipher(settings.pii_key_value()),
        )
        app.state.runtime = runtime
        timeout = settings.startup_timeout
        try:
            await _retry(
                "migrate",
                lambda: db.upgrade(engine, schema=schema.name, script_location=schema.migrations),
                timeout,
            )
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
            await _retry("producer", producer.start, timeout)
            if on_startup is not None:
                await on_startup(runtime)
            runtime.tasks.append(asyncio.create_task(relay.run(), name=f"{service}-outbox-relay"))
            for spec in consumers(runtime):
                runner = ConsumerRunner(
                    name=spec.name,
                    topics=spec.topics,
                    handlers=spec.handlers,
                    sessionmaker=sessionmaker,
                    inbox=schema.inbox,
                    producer=producer,
                    bootstrap_servers=settings.kafka_bootstrap_servers,
                    namespace=settings.topic_namespace,
                    after_commit=relay.wake,
                    clock=the_clock,
                    service=service,
                )
                await _retry(f"consumer {spec.name}", runner.start, timeout)
                runtime.consumers.append(runner)
            for worker in workers(runtime):
                runtime.workers.append(worker)
                runtime.tasks.append(
                    asyncio.create_task(worker.run(), name=f"{service}-{type(worker).__name__}")
                )
            runtime.started = True
            log.info(
                "service started",
                topic_namespace=settings.topic_namespace,
                trace_export="otlp" if tracing.exporting() else "off",
            )
            yield
        finally:
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
            relay.stop()
            if runtime.tasks:
                _done, pending = await asyncio.wait(runtime.tasks, timeout=15)
                for task in pending:
                    task.cancel()
            await producer.stop()
            await engine.dispose()
            if tracing.exporting():
                await asyncio.to_thread(tracing.flush, service)
            log.info("service stopped")

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        dependencies=[Depends(bind_case_id)],
    )
    app.add_middleware(RequestContextMiddleware, service=service)
    install_error_handlers(app)
    app.include_router(health_router())
    for router in routers:
        app.include_router(router)
    return app


def get_runtime(request: Request) -> Runtime:
    return cast(Runtime, request.app.state.runtime)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
