"""PostgreSQL availability errors are the weather: consumers wait them out (never to the
dead-letter topic) and HTTP answers 503 with Retry-After, not 500."""

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from gridcase_events import topics
from gridcase_events.consumer import ConsumerRunner
from gridcase_events.envelope import Envelope
from gridcase_events.kit import db
from gridcase_events.kit.http import install_error_handlers
from gridcase_events.kit.transient import is_transient
from gridcase_events.testing import eventually, read_topic

AVAILABILITY_ERRORS = [
    asyncpg.exceptions.AdminShutdownError,  # 57P01
    asyncpg.exceptions.CrashShutdownError,  # 57P02
    asyncpg.exceptions.CannotConnectNowError,  # 57P03
    asyncpg.exceptions.ConnectionDoesNotExistError,  # 08003
    asyncpg.exceptions.ConnectionFailureError,  # 08006
    asyncpg.exceptions.TooManyConnectionsError,  # 53300
]


def wrapped(error: BaseException) -> DBAPIError:
    """As SQLAlchemy's asyncpg dialect raises it: a plain DBAPIError around the error."""
    return DBAPIError("SELECT 1", {}, error)


@pytest.mark.parametrize("error_class", AVAILABILITY_ERRORS, ids=lambda c: c.sqlstate)
def test_availability_errors_are_transient(error_class: type[Exception]) -> None:
    error = error_class("the server is away")
    assert is_transient(error)
    assert is_transient(wrapped(error))


def test_a_connection_lost_under_a_database_error_is_transient() -> None:
    assert is_transient(wrapped(ConnectionResetError("connection reset by peer")))


def test_a_constraint_violation_is_not_transient() -> None:
    error = asyncpg.exceptions.UniqueViolationError("duplicate key")
    assert not is_transient(error)
    assert not is_transient(IntegrityError("INSERT", {}, error))
    assert not is_transient(RuntimeError("a defect"))


# ------------------------------------------------------------------------------- HTTP


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


def an_app(engine: AsyncEngine) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/terminated")
    async def terminated() -> None:
        # The server ends this connection as it does on a fast shutdown or restart.
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    @app.get("/slots")
    async def slots() -> None:
        raise wrapped(asyncpg.exceptions.TooManyConnectionsError("too many clients"))

    @app.get("/starting")
    async def starting() -> None:
        raise asyncpg.exceptions.CannotConnectNowError("the database system is starting up")

    @app.get("/duplicate")
    async def duplicate() -> None:
        raise IntegrityError("INSERT", {}, asyncpg.exceptions.UniqueViolationError("dup"))

    return app


@pytest.mark.integration
@pytest.mark.parametrize("path", ["/terminated", "/slots", "/starting"])
async def test_database_unavailable_is_503_with_retry_after(engine: AsyncEngine, path: str) -> None:
    transport = httpx.ASGITransport(app=an_app(engine), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get(path)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.json() == {"detail": "a backing service is unavailable; retry later"}


@pytest.mark.integration
async def test_other_database_errors_stay_500(engine: AsyncEngine) -> None:
    transport = httpx.ASGITransport(app=an_app(engine), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/duplicate")
    assert answer.status_code == 500
    assert answer.json()["detail"] == "internal error"


# --------------------------------------------------------------------------- consumer


@pytest.mark.integration
async def test_event_whose_connection_is_terminated_is_retried_never_dead_lettered(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka_bootstrap: str, make_event: Any
) -> None:
    terminations = 0

    async def handle(session: AsyncSession, event: Envelope, payload: Any) -> None:
        nonlocal terminations
        # More terminations than the runner's attempts (3): a restart that lasts.
        if terminations < 5:
            terminations += 1
            await session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        await session.execute(insert(store.effects).values(event_id=event.id, key="t", applied=1))

    event = make_event(key="case-t")
    topic = topics.qualify(namespace, topics.INTAKE)
    await (await producer.send(topic, key=b"case-t", value=event.to_bytes()))
    # A malformed record after it: the one record the dead-letter topic should get.
    await (await producer.send(topic, key=b"case-t", value=b"{not json"))

    r = ConsumerRunner(
        name="test",
        topics=[topics.INTAKE],
        handlers={"case.reported": handle},
        sessionmaker=store.sessionmaker,
        inbox=store.inbox,
        producer=producer,
        bootstrap_servers=kafka_bootstrap,
        namespace=namespace,
        backoff_initial=0.01,
        max_attempts=3,
    )
    await r.start()
    try:
        seen = await eventually(lambda: _applied(store, str(event.id)))
    finally:
        await r.stop()
    assert terminations == 5
    assert seen == {str(event.id): 1}
    dead = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.dlq(topics.INTAKE)), min_count=1
    )
    assert [dict(d.headers)["x-dlq-reason"] for d in dead] == [b"malformed_envelope"]


async def _applied(store: Any, event_id: str) -> dict[str, int] | None:
    async with store.sessionmaker() as s:
        rows = (await s.execute(select(store.effects.c.event_id, store.effects.c.applied))).all()
    current = {str(r.event_id): r.applied for r in rows}
    return current if event_id in current else None
