"""A pytest plugin with the fixtures every gridcase test suite shares.

Integration tests run against a **real** Apache Kafka broker and PostgreSQL, found in
this order: ``KAFKA_BOOTSTRAP_SERVERS`` / ``DATABASE_URL`` from the environment (what
``make test`` sets); containers started by testcontainers when a Docker engine answers;
else the project's own ``deploy/local/infra.sh``. Each test session gets a fresh
database (dropped at the end) and each test its own topic namespace.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

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
    base = make_url(servers.database_url)
    name = f"gridcase_test_{secrets.token_hex(4)}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    yield base.set(database=name).render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def kafka_bootstrap(servers: Servers) -> str:
    return servers.kafka


@pytest.fixture
async def namespace(kafka_bootstrap: str) -> AsyncIterator[str]:
    """A topic namespace of this test's own, with every topic created in it."""
    ns = f"t{secrets.token_hex(4)}."
    await topics.ensure(kafka_bootstrap, namespace=ns, partitions=3)
    yield ns
    with contextlib.suppress(Exception):
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        await admin.start()
        try:
            await admin.delete_topics([topics.qualify(ns, s.name) for s in topics.specs()])
        finally:
            await admin.close()


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
