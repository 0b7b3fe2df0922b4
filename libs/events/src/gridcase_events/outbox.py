"""The transactional outbox and its relay (docs/adr/0001-outbox-and-inbox.md).

A service writes its state change and its outgoing events in one database transaction
with :func:`enqueue`. :class:`OutboxRelay` publishes pending rows through the
idempotent producer and marks them published. Rows are selected by a flag, not an id
watermark (ids commit out of order), with ``FOR UPDATE SKIP LOCKED`` so several
replicas share the work; a row is held back while an earlier pending row with the same
key is claimed by another relay, so one case's events keep their order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from opentelemetry import trace
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    bindparam,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import BindParameter

from gridcase_events import metrics, topics
from gridcase_events.envelope import Envelope
from gridcase_events.kit import tracing
from gridcase_events.kit.clock import Clock, SystemClock

log = logging.getLogger(__name__)


def outbox_table(metadata: MetaData) -> Table:
    """The outbox table, created in the service's own schema (``metadata.schema``)."""
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("topic", Text, nullable=False),
        Column("key", Text, nullable=False),
        Column("event_type", Text, nullable=False),
        Column("payload", JSONB, nullable=False),
        # W3C trace context (traceparent, tracestate) of the writer; NULL without one.
        Column("headers", JSONB(none_as_null=True), nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published", Boolean, nullable=False, server_default=text("false")),
        Column("published_at", DateTime(timezone=True)),
        Index("ix_outbox_pending", "id", postgresql_where=text("NOT published")),
        Index("ix_outbox_pending_key", "key", "id", postgresql_where=text("NOT published")),
        Index("ix_outbox_published_at", "published_at", postgresql_where=text("published")),
    )


WRITTEN = "gridcase.outbox_written"


def mark_written(session: AsyncSession) -> None:
    """Notes in `session` that its transaction wrote outbox rows, so that the consumer
    runner wakes the relay after the commit (:func:`written`). :func:`enqueue` and
    :func:`enqueue_rows` note it themselves; a caller that writes its rows with its own
    statement (:class:`RowInsert`) calls this."""
    session.info[WRITTEN] = True


def written(session: AsyncSession) -> bool:
    """Whether `session`'s transaction wrote outbox rows (:func:`mark_written`)."""
    return bool(session.info.get(WRITTEN))


async def enqueue(session: AsyncSession, table: Table, event: Envelope) -> None:
    """Adds `event` to the outbox inside the caller's transaction (never commits).

    The event gets a producer span, a child of the active span (the request or the
    event being handled) or a new trace's root; its context travels with the row.
    """
    # The row as parameters of a plain INSERT: one statement shape, compiled once.
    await session.execute(table.insert(), outbox_row(event))
    mark_written(session)


async def enqueue_rows(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Adds several events' rows (:func:`outbox_row`, each made under its own span's
    parent) in one statement, inside the caller's transaction."""
    if rows:
        await session.execute(table.insert(), rows)
        mark_written(session)


@dataclass(frozen=True)
class RowInsert:
    """An INSERT of one outbox row for each row of a statement's source (a CTE), for a
    caller that writes its own row and its event in one statement (one round trip where
    :func:`enqueue` after the caller's INSERT takes two). Fixed shape: built once,
    compiled once; its parameters are named ``outbox_*`` (:meth:`parameters`)."""

    sql: str
    binds: tuple[BindParameter[Any], ...]

    def parameters(self, event: Envelope) -> dict[str, Any]:
        """`event` as this insert's parameters (the row of :func:`outbox_row`, its
        payload as the envelope's JSON text, cast to JSONB by the database)."""
        topic, carrier = _produced(event)
        return {
            "outbox_event_id": event.id,
            "outbox_topic": topic,
            "outbox_key": event.subject,
            "outbox_event_type": event.type,
            "outbox_payload": event.model_dump_json(),
            "outbox_headers": carrier,
        }


def row_insert(table: Table, *, for_each: str) -> RowInsert:
    """The outbox insert of :class:`RowInsert` for each row of `for_each` (the name of
    a CTE of the caller's statement): none when it holds none, so an event is written
    only with the row it announces (an ``ON CONFLICT DO NOTHING`` that inserted nothing
    writes no event)."""
    name = f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'
    columns = table.c
    binds = (
        bindparam("outbox_event_id", type_=columns.event_id.type),
        bindparam("outbox_topic", type_=Text()),
        bindparam("outbox_key", type_=Text()),
        bindparam("outbox_event_type", type_=Text()),
        bindparam("outbox_payload", type_=Text()),
        bindparam("outbox_headers", type_=columns.headers.type),
    )
    sql = (
        f"INSERT INTO {name} (event_id, topic, key, event_type, payload, headers)"  # noqa: S608 - our own metadata
        " SELECT :outbox_event_id, :outbox_topic, :outbox_key, :outbox_event_type,"
        f" CAST(:outbox_payload AS jsonb), :outbox_headers FROM {for_each}"
    )
    return RowInsert(sql=sql, binds=binds)


@dataclass(slots=True)
class Rows:
    """Events' outbox rows as one array per column, for :func:`arrays_insert`: many rows
    in one statement (one execution, where an executemany runs the insert once a row).
    Each event's producer span is made when it is added (under the active span, as
    :func:`enqueue` does), its payload kept as the envelope's JSON text (cast to JSONB
    by the database: no decode and encode again)."""

    event_ids: list[uuid.UUID] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    payloads: list[str] = field(default_factory=list)
    headers: list[str | None] = field(default_factory=list)

    def add(self, event: Envelope) -> None:
        topic, carrier = _produced(event)
        self.event_ids.append(event.id)
        self.topics.append(topic)
        self.keys.append(event.subject)
        self.types.append(event.type)
        self.payloads.append(event.model_dump_json())
        self.headers.append(json.dumps(carrier) if carrier else None)

    def __len__(self) -> int:
        return len(self.event_ids)

    def clear(self) -> None:
        for column in (self.event_ids, self.topics, self.keys, self.types):
            column.clear()
        self.payloads.clear()
        self.headers.clear()

    def parameters(self) -> dict[str, list[Any]]:
        """The arrays as :func:`arrays_insert`'s parameters (named ``outbox_*``)."""
        return {
            "outbox_event_ids": self.event_ids,
            "outbox_topics": self.topics,
            "outbox_keys": self.keys,
            "outbox_types": self.types,
            "outbox_payloads": self.payloads,
            "outbox_headers": self.headers,
        }


def arrays_insert(table: Table, *, keys_in: str | None = None) -> str:
    """The SQL of an INSERT of :class:`Rows` (its :meth:`Rows.parameters`) in one
    statement, in the order they were added, so their ids ascend in that order (the
    relay publishes a key's rows by id). `keys_in`: a query (a CTE of the caller's
    statement, say ``SELECT id::text FROM new``) whose keys alone get their rows, so an
    event is written only with the row it announces. Fixed shape whatever the number of
    rows: compiled and prepared once. Mark the session (:func:`mark_written`)."""
    name = f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'
    where = f" WHERE o.key IN ({keys_in})" if keys_in else ""
    return (
        f"INSERT INTO {name} (event_id, topic, key, event_type, payload, headers)"  # noqa: S608 - our own metadata
        " SELECT o.event_id, o.topic, o.key, o.event_type, CAST(o.payload AS jsonb),"
        " CAST(o.headers AS jsonb)"
        " FROM unnest(CAST(:outbox_event_ids AS uuid[]), CAST(:outbox_topics AS text[]),"
        " CAST(:outbox_keys AS text[]), CAST(:outbox_types AS text[]),"
        " CAST(:outbox_payloads AS text[]), CAST(:outbox_headers AS text[]))"
        " WITH ORDINALITY AS o(event_id, topic, key, event_type, payload, headers, n)"
        f"{where} ORDER BY o.n"
    )


def _produced(event: Envelope) -> tuple[str, dict[str, str] | None]:
    """`event`'s topic, and the trace context of a producer span for it under the
    active span (see :func:`enqueue`)."""
    topic = topics.for_event(source=event.source, event_type=event.type)
    carrier = tracing.child_carrier(
        event.source,
        f"{topic} create",
        kind=trace.SpanKind.PRODUCER,
        attributes=lambda: {
            "messaging.system": "kafka",
            "messaging.operation.type": "create",
            "messaging.destination.name": topic,
            "gridcase.event_type": event.type,
            "gridcase.event_id": str(event.id),
            "gridcase.case_id": event.subject,
        },
    )
    return topic, carrier or None


def outbox_row(event: Envelope) -> dict[str, Any]:
    """`event`'s outbox row, with a producer span under the active span (see
    :func:`enqueue`)."""
    topic, carrier = _produced(event)
    return {
        "event_id": event.id,
        "topic": topic,
        "key": event.subject,
        "event_type": event.type,
        "payload": json.loads(event.model_dump_json()),
        "headers": carrier,
    }


def _trace_header(name: str) -> str:
    """A trace-context value of the row's ``headers`` as text, as
    :func:`tracing.kafka_headers` would take it: a non-empty string, else NULL. Read by
    the claim, so the relay decodes no JSON per row."""
    value = f"o.headers->>'{name}'"
    return f"CASE WHEN jsonb_typeof(o.headers->'{name}') = 'string' THEN {value} END"


@dataclass
class OutboxRelay:
    """Publishes pending outbox rows; run one per replica, as many replicas as you like."""

    service: str
    table: Table
    sessionmaker: async_sessionmaker[AsyncSession]
    producer: AIOKafkaProducer
    namespace: str = ""
    batch_size: int = 200
    poll_interval: float = 0.5
    retention: timedelta = timedelta(days=7)
    clock: Clock = field(default_factory=SystemClock)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _stopping: bool = field(default=False, init=False)
    _last_housekeeping: float = field(default=0.0, init=False)
    _claim: Any = field(default=None, init=False, repr=False)
    published: int = field(default=0, init=False)
    _full: bool = field(default=False, init=False)
    """The last claim took a whole batch: more rows may wait, claim again at once."""
    _topics: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    idle: bool = field(default=False, init=False)
    """True while :meth:`run` waits for a nudge or its next poll."""

    def _qualified(self, topic: str) -> str:
        found = self._topics.get(topic)
        if found is None:
            found = self._topics[topic] = topics.qualify(self.namespace, topic)
        return found

    def wake(self) -> None:
        """Nudges the relay after a commit that wrote outbox rows (saves a poll)."""
        self._wake.set()

    def __post_init__(self) -> None:
        t = f'"{self.table.schema}"."{self.table.name}"' if self.table.schema else self.table.name
        # Claim and mark in one statement of one shape (prepared once per connection):
        # the batch is locked by FOR UPDATE SKIP LOCKED and marked published in the
        # relay's transaction, which commits only after the broker acknowledged every
        # row; any failure rolls the marks back. A row is left out (locked, unmarked)
        # while an earlier pending row of its key is held by another relay. The payload
        # comes back as its JSON text, sent as is (no decode and encode per row).
        self._claim = text(
            f"""
            WITH batch AS (
                SELECT id, key FROM {t}
                WHERE NOT published
                ORDER BY id
                LIMIT :limit
                FOR UPDATE SKIP LOCKED
            )
            UPDATE {t} o SET published = true, published_at = :now
            FROM batch b
            WHERE o.id = b.id AND NOT EXISTS (
                SELECT 1 FROM {t} e
                WHERE NOT e.published AND e.key = b.key AND e.id < b.id
                  AND e.id NOT IN (SELECT id FROM batch)
            )
            RETURNING o.id, o.topic, o.key, o.event_type, o.event_id::text AS event_id,
                      o.payload::text AS payload, o.payload->>'correlation_id' AS correlation_id,
                      {_trace_header("traceparent")} AS traceparent,
                      {_trace_header("tracestate")} AS tracestate,
                      o.created_at, (SELECT count(*) FROM batch) AS claimed
            """  # noqa: S608 - table name comes from our own metadata
        ).bindparams(
            bindparam("limit", type_=Integer), bindparam("now", type_=DateTime(timezone=True))
        )

    async def run_once(self) -> int:
        """Publishes one batch; returns how many rows it published.

        Three round trips to the database whatever the batch size: BEGIN, the claim
        (which marks), COMMIT after the broker's acknowledgements."""
        async with self.sessionmaker() as session, session.begin():
            result = await session.execute(
                self._claim, {"limit": self.batch_size, "now": self.clock.now()}
            )
            rows = sorted(result.all(), key=lambda r: r.id)  # RETURNING keeps no order
            # Rows held back for another relay's earlier row of their key are claimed
            # but not returned: the batch was full when it claimed `batch_size` rows.
            self._full = bool(rows) and rows[0].claimed >= self.batch_size
            if not rows:
                return 0
            futures = []
            for row in rows:
                headers = [
                    ("type", row.event_type.encode()),
                    ("event_id", row.event_id.encode()),
                    ("correlation_id", str(row.correlation_id).encode()),
                ]
                if row.traceparent:
                    headers.append(("traceparent", row.traceparent.encode()))
                if row.tracestate:
                    headers.append(("tracestate", row.tracestate.encode()))
                futures.append(
                    await self.producer.send(
                        self._qualified(row.topic),
                        value=row.payload.encode(),
                        key=row.key.encode(),
                        headers=headers,
                    )
                )
            # Any failure raises here and rolls back: the rows stay pending and are
            # published again (at least once; consumers' inboxes drop the repeat).
            await asyncio.gather(*futures)
        now = self.clock.now()
        self.published += len(rows)
        latency = metrics.publish_latency(self.service)
        for row in rows:
            metrics.published(self.service, row.topic, row.event_type).inc()
            latency.observe(max(0.0, (now - row.created_at).total_seconds()))
        return len(rows)

    async def housekeeping(self) -> None:
        """Updates backlog gauges and deletes published rows past the retention."""
        async with self.sessionmaker() as session, session.begin():
            count, oldest = (
                await session.execute(
                    self.table.select()
                    .with_only_columns(func.count(), func.min(self.table.c.created_at))
                    .where(self.table.c.published.is_(False))
                )
            ).one()
            metrics.OUTBOX_BACKLOG.labels(self.service).set(count)
            age = (self.clock.now() - oldest).total_seconds() if oldest else 0.0
            metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(max(0.0, age))
            await session.execute(
                self.table.delete().where(
                    self.table.c.published.is_(True),
                    self.table.c.published_at < self.clock.now() - self.retention,
                )
            )

    async def run(self) -> None:
        """Publishes until :meth:`stop`; survives broker and database outages."""
        backoff = self.poll_interval
        while not self._stopping:
            try:
                loop_time = asyncio.get_running_loop().time()
                if loop_time - self._last_housekeeping > 10:
                    self._last_housekeeping = loop_time
                    await self.housekeeping()
                # Cleared before the claim: a wake() during this batch is kept, not lost.
                self._wake.clear()
                published = await self.run_once()
                backoff = self.poll_interval
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying", extra={"service": self.service})
                published = 0
                backoff = min(backoff * 2, 10.0)
            # A batch that was not full took every row pending at its claim: wait for
            # the next nudge (a commit since then) or poll rather than claim nothing.
            if (published == 0 or not self._full) and not self._stopping:
                self.idle = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=backoff)
                self.idle = False

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
