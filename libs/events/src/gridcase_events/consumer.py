"""The consumer runner: the inbox pattern around aiokafka (docs/adr/0001-outbox-and-inbox.md).

For each record: decode the envelope, skip types this consumer does not handle, and
otherwise run the handler and record the event in the inbox **in one transaction**.
Offsets are committed only after that commit (and for revoked partitions on a
rebalance). A poll's events, every partition's, are applied in one transaction with one
inbox insert (each partition's in their order); when that fails, each partition's run on
its own, and a failing run's events before the failing one together, the failing one
alone (see :meth:`ConsumerRunner._apply`). A duplicate is skipped by the inbox. A failing handler is retried with
backoff a bounded number of times, then the record goes to the dead-letter topic with
the reason in its headers and the partition moves on. Database or broker outages are
not the message's fault: those are retried until the service stops, and the record is
read again after a restart.

Each handled event runs inside a CONSUMER span, a child of the trace context the
producer put in the record's headers, with the event id, type, case id and correlation
id bound to the logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from pydantic import BaseModel, ValidationError
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gridcase_events import inbox, metrics, outbox, registry, topics
from gridcase_events.envelope import Envelope
from gridcase_events.kit import tracing
from gridcase_events.kit.clock import Clock, SystemClock
from gridcase_events.kit.transient import TRANSIENT_TYPES, is_transient
from gridcase_events.registry import UnknownEventType

log = structlog.get_logger(__name__)


def _log_fields(envelope: Envelope) -> dict[str, str]:
    """The ids every log line about one event carries (case and correlation ids)."""
    return {
        "event_id": str(envelope.id),
        "event_type": envelope.type,
        "case_id": envelope.subject,
        "correlation_id": envelope.correlation_id,
    }


Handler = Callable[[AsyncSession, Envelope, Any], Awaitable[None]]
"""``handler(session, envelope, payload)``: apply the event's effects; never commit."""

TRANSIENT = TRANSIENT_TYPES
"""Error classes that are always transient; :func:`is_transient` also recognises
PostgreSQL's availability errors by SQLSTATE (admin shutdown, starting up, connection
lost, too many connections), which asyncpg raises as a plain ``DBAPIError``."""


# What an error's text may carry of a case: SQLAlchemy's bound parameters (case text,
# addresses, phone numbers), PostgreSQL's DETAIL (key values, the failing row),
# pydantic's input values, and any phone-like number.
_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\[parameters: .*?\](?=\n\(Background on this error|\s*$)", re.DOTALL),
        "[parameters: redacted]",
    ),
    # Cut off by a length limit before its end.
    (re.compile(r"\[parameters: (?!redacted\]).*", re.DOTALL), "[parameters: redacted]"),
    (re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE), r"\1 redacted"),
    (re.compile(r"input_value=.*?(, input_type=|\]\n|$)", re.DOTALL), r"input_value=redacted\1"),
    (re.compile(r"(?<![\w.-])\+?\d[\d -]{5,}\d(?![\w.-])"), "[number]"),
)


def redact(message: str) -> str:
    """An error's text without the personal data it may quote, for dead-letter headers
    and logs: the kind of error and where it happened stay readable."""
    for pattern, replacement in _REDACTIONS:
        message = pattern.sub(replacement, message)
    return message


@dataclass(frozen=True)
class _Item:
    """A polled record decoded into an event this consumer handles."""

    record: Any
    logical_topic: str
    envelope: Envelope
    payload: BaseModel
    handler: Handler
    commit_to: int
    """The partition's offset to commit once this event is stored: past it and past the
    skipped or dead-lettered records that follow it in the poll."""


@dataclass
class _Plan:
    """One partition's share of a poll, decoded: the events to apply in order, the
    offset past the records skipped before the first of them, and the record to read
    again (its dead letter could not be published), if any."""

    tp: TopicPartition
    items: list[_Item] = field(default_factory=list)
    lead: int | None = None
    reread: int | None = None

    def add(self, record: Any, item: _Item | None) -> None:
        if item is not None:
            self.items.append(item)
        elif self.items:
            self.items[-1] = replace(self.items[-1], commit_to=record.offset + 1)
        else:
            self.lead = record.offset + 1


def _header(record: Any, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name and value is not None:
            try:
                return bytes(value).decode()
            except UnicodeDecodeError:
                return None
    return None


class _BatchFailed(Exception):
    """A run's transaction failed at the event `index` (its cause is the error)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


class _Stopping(Exception):
    """Raised to abandon a record (uncommitted) because the runner is stopping."""


class _Revoker(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runner: ConsumerRunner) -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        await self.runner._revoke(set(revoked))
        self.runner._forget_lag(revoked)

    async def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        self.runner._revoked.clear()
        log.info("partitions assigned", consumer=self.runner.name, partitions=len(assigned))


@dataclass
class ConsumerRunner:
    name: str
    topics: Sequence[str]
    handlers: Mapping[str, Handler]
    sessionmaker: async_sessionmaker[AsyncSession]
    inbox: Table
    producer: AIOKafkaProducer
    bootstrap_servers: str
    namespace: str = ""
    group_id: str | None = None
    max_attempts: int = 5
    backoff_initial: float = 0.2
    backoff_max: float = 5.0
    max_poll_records: int = 100
    after_commit: Callable[[], None] | None = None
    clock: Clock = field(default_factory=SystemClock)
    service: str = "gridcase"
    """The service this consumer runs in: its spans go to that service's tracer."""
    batch: bool = True
    """Apply a poll's events, all its partitions, in one transaction (falling back to a
    transaction per partition's run, then one by one, when it fails). False: one
    transaction per event, always."""
    commit_interval: float = 1.0
    """Seconds between offset commits while running: the offsets of stored events are
    committed at most this often (and always on a rebalance and at stop), not after every
    poll. A crash re-reads at most this much; the inbox drops what was already applied."""
    lag_interval: float = 1.0
    """Seconds between updates of the ``gridcase_consumer_lag`` gauges."""
    linger: float = 0.02
    """Seconds a poll of fewer than `linger_records` events waits for more before it is
    applied: under a trickle the events of 20 ms share one transaction, one inbox insert
    and the relay's next batch, instead of a transaction and a publish each. Waited in
    the runner, not by the broker (``fetch_max_wait_ms``), so an idle consumer fetches
    no more often (docs/benchmarks.md, issue 18). 0: apply every poll at once."""
    linger_records: int = 4
    _consumer: AIOKafkaConsumer | None = field(default=None, init=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False)
    _stop: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _uncommitted: dict[TopicPartition, int] = field(default_factory=dict, init=False)
    _revoked: set[TopicPartition] = field(default_factory=set, init=False)
    """Partitions revoked by a rebalance still under way (the consumer's assignment
    names them until the new one arrives): their offsets are no longer ours to commit."""
    _next_commit: float = field(default=0.0, init=False)
    _next_lag: float = field(default=0.0, init=False)

    @property
    def group(self) -> str:
        return self.group_id or f"{self.namespace}gridcase.{self.name}"

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group,
            client_id=f"gridcase-{self.name}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.max_poll_records,
            session_timeout_ms=30_000,
            heartbeat_interval_ms=3_000,
        )
        self._consumer.subscribe(
            [topics.qualify(self.namespace, t) for t in self.topics], listener=_Revoker(self)
        )
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.name}")

    async def stop(self, timeout: float = 30.0) -> None:
        """Finishes the record in hand, commits, and leaves the group."""
        self._stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout)
            except TimeoutError:
                self._task.cancel()
        if self._consumer is not None:
            try:
                await self._commit()
            finally:
                await self._consumer.stop()

    # ------------------------------------------------------------------ the loop

    async def _run(self) -> None:
        assert self._consumer is not None
        consumer = self._consumer
        while not self._stop.is_set():
            try:
                batches = await self._fetch(consumer)
                if batches and self.linger > 0:
                    batches = await self._linger(consumer, batches)
            except KafkaError:
                log.exception("fetch failed", consumer=self.name)
                await self._pause(1.0)
                continue
            if batches:
                await self._process_poll(consumer, batches)
            now = time.monotonic()
            if self._uncommitted and now >= self._next_commit:
                self._next_commit = now + self.commit_interval
                await self._commit()
            if now >= self._next_lag:
                self._next_lag = now + self.lag_interval
                await self._update_lag()

    async def _process_poll(
        self, consumer: AIOKafkaConsumer, batches: Mapping[TopicPartition, Sequence[Any]]
    ) -> None:
        """A poll's records, all partitions: decoded first (skipped and dead-lettered
        ones settled), then applied (:meth:`_apply`). Their offsets are committed by the
        loop, every ``commit_interval`` (at once when a record is to be read again). The
        offsets committed never pass a record whose effect is not stored."""
        plans = [await self._plan(consumer, tp, records) for tp, records in batches.items()]
        for plan in plans:
            if plan.lead is not None:
                self._uncommitted[plan.tp] = plan.lead
        finished = await self._apply(consumer, plans)
        rereads = [p for p in plans if p.reread is not None and p.tp in finished]
        for plan in rereads:
            if self._owns(consumer, plan.tp):
                assert plan.reread is not None
                consumer.seek(plan.tp, plan.reread)
        if rereads:
            await self._commit(only={p.tp for p in plans})
            await self._pause(1.0)

    async def _plan(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, records: Sequence[Any]
    ) -> _Plan:
        """One partition's polled records decoded, in order, up to the first one that
        must be read again (not the message's fault: its dead letter was not published)."""
        plan = _Plan(tp)
        for record in records:
            if self._stop.is_set() or not self._owns(consumer, tp):
                break
            try:
                item = await self._decode(record)
            except Exception:
                log.exception("record not processed; will re-read", consumer=self.name)
                plan.reread = record.offset
                break
            plan.add(record, item)
        return plan

    async def _apply(
        self, consumer: AIOKafkaConsumer, plans: Sequence[_Plan]
    ) -> set[TopicPartition]:
        """Applies a poll's events: every partition's in one transaction (one inbox
        insert for all, each partition's events in their order). When that fails, each
        partition's run on its own (:meth:`_flush`), the one holding the failing event
        last, so it delays no other. Returns the partitions whose events are all stored."""
        finished = {p.tp for p in plans if not p.items}
        pending = [p for p in plans if p.items and self._owns(consumer, p.tp)]
        if self.batch and len(pending) > 1 and not self._stop.is_set():
            run = [item for plan in pending for item in plan.items]
            try:
                await self._handle_together(run)
            except _BatchFailed as failed:
                culprit = run[failed.index].record
                log.info(
                    "poll not applied together; each partition on its own",
                    consumer=self.name,
                    events=len(run),
                    partitions=len(pending),
                    error_type=type(failed.__cause__).__name__,
                )
                pending.sort(key=lambda p: p.tp == TopicPartition(culprit.topic, culprit.partition))
            else:
                return finished | self._stored(consumer, pending)
        for plan in pending:
            if await self._flush(consumer, plan.tp, plan.items):
                finished.add(plan.tp)
        return finished

    def _stored(self, consumer: AIOKafkaConsumer, plans: Sequence[_Plan]) -> set[TopicPartition]:
        """After a poll's transaction committed: the offsets to commit, for the partitions
        still assigned (a revoked one is read again by its new owner; the inbox drops
        the repeat)."""
        for plan in plans:
            if self._owns(consumer, plan.tp):
                self._uncommitted[plan.tp] = plan.items[-1].commit_to
        return {p.tp for p in plans}

    async def _flush(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, run: list[_Item]
    ) -> bool:
        """Applies a run of records: several in one transaction (one inbox insert for
        all). When that transaction fails at one event, the events before it are applied
        together again, the failing one alone — its own transaction, retries and dead
        letter — and the rest as a run of their own: a failing event costs only itself.
        False when the partition must stop here (stopping, or to be re-read)."""
        while run:
            if self._stop.is_set() or not self._owns(consumer, tp):
                return False
            if not self.batch or len(run) == 1:
                return await self._one_by_one(consumer, tp, run)
            try:
                await self._handle_together(run)
            except _BatchFailed as failed:
                log.info(
                    "batch not applied; the failing event alone",
                    consumer=self.name,
                    events=len(run),
                    failed_at=failed.index,
                    error_type=type(failed.__cause__).__name__,
                )
                before, culprit, run = (
                    run[: failed.index],
                    run[failed.index],
                    run[failed.index + 1 :],
                )
                if before and not await self._flush(consumer, tp, before):
                    return False
                if not await self._one_by_one(consumer, tp, [culprit]):
                    return False
                continue
            if not self._owns(consumer, tp):
                return False
            self._uncommitted[tp] = run[-1].commit_to
            return True
        return True

    async def _one_by_one(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, run: Sequence[_Item]
    ) -> bool:
        for item in run:
            if self._stop.is_set() or not self._owns(consumer, tp):
                return False
            try:
                with self._span(item) as span:
                    await self._handle_with_retries(item, span)
            except _Stopping:
                return False
            except Exception:
                # Not the message's fault (e.g. the DLQ publish failed): read it again
                # from here; nothing after it is committed.
                log.exception("record not processed; will re-read", consumer=self.name)
                consumer.seek(tp, item.record.offset)
                await self._pause(1.0)
                return False
            if not self._owns(consumer, tp):
                return False
            self._uncommitted[tp] = item.commit_to
        return True

    async def _linger(
        self, consumer: AIOKafkaConsumer, batches: dict[TopicPartition, list[Any]]
    ) -> dict[TopicPartition, list[Any]]:
        """A small poll and what arrived within ``linger`` after it, each partition's
        records in their order (a stopping runner does not wait)."""
        count = sum(len(records) for records in batches.values())
        if count >= self.linger_records or await self._pause(self.linger):
            return batches
        try:
            more: dict[TopicPartition, list[Any]] = await consumer.getmany(
                timeout_ms=0, max_records=max(1, self.max_poll_records - count)
            )
        except KafkaError:
            # The records in hand are taken from the buffer already: apply them.
            log.exception("fetch failed", consumer=self.name)
            return batches
        for tp, records in more.items():
            batches.setdefault(tp, []).extend(records)
        return batches

    async def _fetch(self, consumer: AIOKafkaConsumer) -> dict[TopicPartition, list[Any]]:
        """The next records, or none at once when the runner is asked to stop (a fetch
        waits up to half a second for records; a stopping service does not). Records
        already fetched are taken at once, without the tasks that the wait needs."""
        ready: dict[TopicPartition, list[Any]] = await consumer.getmany(
            timeout_ms=0, max_records=self.max_poll_records
        )
        if ready or self._stop.is_set():
            return ready
        fetch = asyncio.ensure_future(
            consumer.getmany(timeout_ms=500, max_records=self.max_poll_records)
        )
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not fetch.done():
                # Cancelled while waiting: nothing is taken from the fetched buffer.
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await fetch
        if fetch.cancelled():
            return {}
        batches: dict[TopicPartition, list[Any]] = fetch.result()
        return batches

    async def _decode(self, record: Any) -> _Item | None:
        """The record as an event this consumer handles, or None when it is skipped
        (a type handled elsewhere, read from the producer's ``type`` header without
        parsing the body) or dead-lettered (malformed, unknown version, invalid)."""
        logical_topic = topics.unqualify(self.namespace, record.topic)
        declared = _header(record, "type")
        if declared is not None and declared not in self.handlers:
            self._ignored(logical_topic, declared)
            return None
        try:
            envelope = Envelope.from_bytes(record.value)
        except (ValidationError, ValueError) as exc:
            await self._dead_letter(record, logical_topic, "?", "malformed_envelope", exc, 1)
            return None
        handler = self.handlers.get(envelope.type)
        if handler is None:
            self._ignored(logical_topic, envelope.type)
            return None
        try:
            payload = envelope.payload()
        except UnknownEventType as exc:
            await self._dead_letter(
                record, logical_topic, envelope.type, "unsupported_version", exc, 1
            )
            return None
        except ValidationError as exc:
            await self._dead_letter(record, logical_topic, envelope.type, "invalid_payload", exc, 1)
            return None
        return _Item(record, logical_topic, envelope, payload, handler, record.offset + 1)

    def _ignored(self, logical_topic: str, event_type: str) -> None:
        # Any string may arrive here; only the registry's types become label values.
        label = event_type if event_type in registry.known_types() else "unknown"
        metrics.consumed(self.name, logical_topic, label, "ignored").inc()

    @contextlib.contextmanager
    def _span(self, item: _Item) -> Iterator[trace.Span]:
        """The CONSUMER span of one event, with its ids bound to the logs (its attributes
        are built only when the service's spans are recorded)."""
        record, envelope = item.record, item.envelope
        with (
            tracing.span(
                self.service,
                f"{item.logical_topic} process",
                context=tracing.context_from_kafka(record.headers),
                kind=trace.SpanKind.CONSUMER,
                attributes={}
                if not tracing.recording(self.service)
                else {
                    "messaging.system": "kafka",
                    "messaging.operation.type": "process",
                    "messaging.destination.name": item.logical_topic,
                    "messaging.consumer.group.name": self.group,
                    "messaging.kafka.partition": record.partition,
                    "messaging.kafka.offset": record.offset,
                    "gridcase.consumer": self.name,
                    "gridcase.event_type": envelope.type,
                    "gridcase.event_id": str(envelope.id),
                    "gridcase.case_id": envelope.subject,
                    "gridcase.correlation_id": envelope.correlation_id,
                },
            ) as span,
            structlog.contextvars.bound_contextvars(**_log_fields(envelope)),
        ):
            yield span

    async def _handle_together(self, run: Sequence[_Item]) -> None:
        """A run of events in one transaction: one inbox insert for all of them, then
        each fresh event's handler in order, each in its own span. The session forgets
        its loaded objects between handlers, so each handler reads what the ones before
        it wrote, as it would in a transaction of its own. Raises (and so rolls back
        every effect) when any handler fails."""
        started = time.perf_counter()
        outcomes: list[tuple[_Item, str, float]] = []
        index = 0
        wrote = False
        try:
            async with self.sessionmaker() as session, session.begin():
                fresh_ids = await inbox.record_many(
                    session,
                    self.inbox,
                    consumer=self.name,
                    events=[(i.envelope.id, i.envelope.type) for i in run],
                )
                for position, item in enumerate(run):
                    index = position
                    if item.envelope.id not in fresh_ids:
                        outcomes.append((item, "duplicate", 0.0))
                        continue
                    fresh_ids.discard(item.envelope.id)  # a repeat within the run
                    with self._span(item) as span:
                        one = time.perf_counter()
                        await item.handler(session, item.envelope, item.payload)
                        await session.flush()
                        session.expunge_all()
                        elapsed = time.perf_counter() - one
                        span.set_attribute("gridcase.outcome", "handled")
                    outcomes.append((item, "handled", elapsed))
                index = len(run) - 1  # the commit: blame the last one, retry the rest
                wrote = outbox.written(session)
        except Exception as exc:
            raise _BatchFailed(index) from exc
        metrics.batch_size(self.name).observe(len(run))
        for item, outcome, elapsed in outcomes:
            envelope = item.envelope
            if outcome == "handled":
                metrics.handle_seconds(self.name, envelope.type).observe(elapsed)
            metrics.consumed(self.name, item.logical_topic, envelope.type, outcome).inc()
            log.info(
                "event handled",
                consumer=self.name,
                outcome=outcome,
                attempt=1,
                batch=len(run),
                **_log_fields(envelope),
            )
        log.debug(
            "batch applied",
            consumer=self.name,
            events=len(run),
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        # The relay is woken only for a run that wrote outbox rows: a consumer that
        # writes none (notify's planning, escalation's reports) costs it no claim.
        if self.after_commit is not None and wrote:
            self.after_commit()

    async def _handle_with_retries(self, item: _Item, span: trace.Span) -> None:
        """Handles one record: its transaction (effects and inbox row), retried with
        backoff; outages waited out; after the last attempt, the DLQ. Long on purpose: the
        retry loop, the span and the log fields of one record read best in one place."""
        record, logical_topic, envelope = item.record, item.logical_topic, item.envelope
        payload, handler = item.payload, item.handler
        attempt = 0
        delay = self.backoff_initial
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                with metrics.handle_seconds(self.name, envelope.type).time():
                    fresh, wrote = await self._handle(envelope, payload, handler)
            except Exception as exc:
                if is_transient(exc):
                    # The database or broker is away: wait for it, do not count.
                    log.warning(
                        "transient failure; retrying",
                        consumer=self.name,
                        error_type=type(exc).__name__,
                        error=redact(str(exc))[:300],
                    )
                    attempt -= 1
                    await self._backoff(min(delay, self.backoff_max))
                    delay = min(delay * 2, self.backoff_max)
                    continue
                metrics.EVENTS_FAILED.labels(self.name, logical_topic, envelope.type).inc()
                span.record_exception(
                    exc,
                    attributes={
                        "gridcase.attempt": attempt,
                        "exception.message": redact(str(exc)),
                        "exception.stacktrace": redact("".join(traceback.format_exception(exc))),
                    },
                )
                if attempt >= self.max_attempts:
                    span.set_status(Status(StatusCode.ERROR, "dead-lettered"))
                    await self._dead_letter(
                        record, logical_topic, envelope.type, "handler_error", exc, attempt
                    )
                    return
                log.warning(
                    "handler failed; retrying",
                    consumer=self.name,
                    attempt=attempt,
                    error_type=type(exc).__name__,
                    error=redact(str(exc))[:500],
                )
                await self._backoff(min(delay, self.backoff_max))
                delay = min(delay * 2, self.backoff_max)
                continue
            outcome = "handled" if fresh else "duplicate"
            span.set_attribute("gridcase.outcome", outcome)
            # One line per event, as the access log has one per request.
            log.info(
                "event handled",
                consumer=self.name,
                outcome=outcome,
                attempt=attempt,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
            metrics.consumed(self.name, logical_topic, envelope.type, outcome).inc()
            if wrote and self.after_commit is not None:
                self.after_commit()
            return

    async def _handle(
        self, envelope: Envelope, payload: BaseModel, handler: Handler
    ) -> tuple[bool, bool]:
        """Whether the event was fresh (not in the inbox yet), and whether its handler
        wrote outbox rows."""
        async with self.sessionmaker() as session, session.begin():
            fresh = await inbox.record(
                session,
                self.inbox,
                consumer=self.name,
                event_id=envelope.id,
                event_type=envelope.type,
            )
            if fresh:
                await handler(session, envelope, payload)
            wrote = outbox.written(session)
        return fresh, wrote

    async def _dead_letter(
        self,
        record: Any,
        logical_topic: str,
        event_type: str,
        reason: str,
        error: BaseException,
        attempts: int,
    ) -> None:
        original = list(record.headers or ())
        # Within a handling span the dead letter continues that span's trace; before
        # one (a malformed record) it keeps the producer's trace context as it came.
        current = tracing.kafka_headers(tracing.current_carrier())
        if current:
            original = [(k, v) for k, v in original if k not in tracing.TRACE_HEADERS]
        headers = [
            *original,
            *current,
            ("x-dlq-reason", reason.encode()),
            ("x-dlq-error-type", type(error).__name__.encode()),
            ("x-dlq-error", redact(str(error))[:2000].encode()),
            ("x-dlq-consumer", self.name.encode()),
            ("x-dlq-original-topic", record.topic.encode()),
            ("x-dlq-original-partition", str(record.partition).encode()),
            ("x-dlq-original-offset", str(record.offset).encode()),
            ("x-dlq-attempts", str(attempts).encode()),
            ("x-dlq-time", self.clock.now().isoformat().encode()),
        ]
        target = topics.qualify(self.namespace, topics.dlq(logical_topic))
        await (
            await self.producer.send(target, value=record.value, key=record.key, headers=headers)
        )
        metrics.EVENTS_DEAD_LETTERED.labels(self.name, logical_topic, event_type, reason).inc()
        log.error(
            "event dead-lettered",
            consumer=self.name,
            reason=reason,
            error=redact(str(error))[:500],
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )

    def _owns(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> bool:
        return tp in consumer.assignment() and tp not in self._revoked

    async def _revoke(self, revoked: set[TopicPartition]) -> None:
        """A rebalance takes `revoked` away: what is stored of them is committed now, and
        nothing of them afterwards (an event applied meanwhile is read again by the new
        owner, and its inbox drops the repeat)."""
        self._revoked |= revoked
        offsets = {tp: self._uncommitted.pop(tp) for tp in revoked if tp in self._uncommitted}
        await self._send_commit(offsets)

    async def _commit(self, only: set[TopicPartition] | None = None) -> None:
        if self._consumer is None:
            return
        for tp in self._revoked:
            self._uncommitted.pop(tp, None)
        offsets = {tp: off for tp, off in self._uncommitted.items() if only is None or tp in only}
        await self._send_commit(offsets)

    async def _send_commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self._consumer is None or not offsets:
            return
        try:
            await self._consumer.commit(offsets)
        except KafkaError as exc:
            # The inbox makes a re-read harmless; keep going.
            log.warning("offset commit failed", consumer=self.name, error=str(exc))
            return
        for tp in offsets:
            if self._uncommitted.get(tp) == offsets[tp]:
                del self._uncommitted[tp]

    async def _update_lag(self) -> None:
        assert self._consumer is not None
        for tp in self._consumer.assignment():
            high = self._consumer.highwater(tp)
            if high is None:
                continue
            try:
                position = await self._consumer.position(tp)
            except KafkaError:
                continue
            logical_topic = topics.unqualify(self.namespace, tp.topic)
            metrics.CONSUMER_LAG.labels(self.name, logical_topic, str(tp.partition)).set(
                max(0, high - position)
            )

    def _forget_lag(self, partitions: Sequence[TopicPartition]) -> None:
        """Another replica reports the lag of partitions this one no longer reads."""
        for tp in partitions:
            logical_topic = topics.unqualify(self.namespace, tp.topic)
            with contextlib.suppress(KeyError):
                metrics.CONSUMER_LAG.remove(self.name, logical_topic, str(tp.partition))

    async def _pause(self, seconds: float) -> bool:
        """Waits `seconds` or until stopped; True when the runner is stopping."""
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True

    async def _backoff(self, seconds: float) -> None:
        if await self._pause(seconds):
            raise _Stopping


logging.getLogger("aiokafka").setLevel(logging.WARNING)
