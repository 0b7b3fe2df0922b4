import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import Column, Integer, MetaData, Table, Text, text
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gridcase_events import envelope
from gridcase_events.inbox import inbox_table
from gridcase_events.kit import db
from gridcase_events.outbox import outbox_table
from gridcase_events.payloads import CaseReported
from gridcase_events.producer import create_producer

NOW = datetime(2026, 11, 21, 8, 30, tzinfo=UTC)


@dataclass
class Store:
    """A throwaway schema with an outbox, an inbox and an `effects` table."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    metadata: MetaData
    outbox: Table
    inbox: Table
    effects: Table


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    schema = f"evtest_{secrets.token_hex(4)}"
    metadata = db.make_metadata(schema)
    effects = Table(
        "effects",
        metadata,
        Column("event_id", PgUUID(as_uuid=True), primary_key=True),
        Column("key", Text, nullable=False),
        Column("applied", Integer, nullable=False),
    )
    engine = db.create_engine(database_url, pool_size=5)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        s = Store(
            engine,
            async_sessionmaker(engine, expire_on_commit=False),
            metadata,
            outbox_table(metadata),
            inbox_table(metadata),
            effects,
        )
        await conn.run_sync(metadata.create_all)
    yield s
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = create_producer(kafka_bootstrap, client_id="gridcase-test")
    await p.start()
    yield p
    await p.stop()


def _case_event(*, key: str, content: str = "garbage", source: str = "intake") -> envelope.Envelope:
    return envelope.build(
        CaseReported(
            case_id=UUID(key) if len(key) == 36 else envelope.new_id(),
            tracking_no="GC-20261121-TEST01",
            channel="hotline",
            reported_at=NOW,
            content=content,
            priority="normal",
        ),
        subject=key,
        source=source,
        tenant="510302",
        correlation_id=f"corr-{key}",
        time=NOW,
    )


@pytest.fixture
def make_event() -> Callable[..., envelope.Envelope]:
    """Builds a `case.reported` envelope keyed by `key` (the case id)."""
    return _case_event
