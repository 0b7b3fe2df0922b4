"""The delivery worker: claims due deliveries, sends them, records the outcome.

Never twice: the attempt is recorded (committed) before the provider is called, and the
provider gets the delivery's idempotency key; a crash between send and record leaves
the delivery ``sending`` until its lease runs out, and the retry carries the same key.
Never silently lost: retryable failures back off exponentially with jitter (honouring
``Retry-After``); the last failure is recorded and emitted as ``notification.failed``.
An outage delays, it does not fail: a refusal by the channel's open circuit (the
provider was not called) postpones the delivery to the breaker's half-open time, with
jitter, and gives the attempt back (issue 16, finding 5).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

import structlog
from jinja2 import UndefinedError
from opentelemetry import context as otel_context
from opentelemetry import trace
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import outbox, payloads
from gridcase_events.kit import tracing
from gridcase_events.kit.runtime import Worker
from notify import templates
from notify.channels.base import (
    Message,
    PermanentSendError,
    RetryableSendError,
    TransactionalChannel,
    redact,
)
from notify.channels.breaker import CircuitOpenError
from notify.deliveries import repository, resolver
from notify.deliveries.models import Delivery
from notify.deps import NotifyRuntime

log = structlog.get_logger(__name__)

NOTIFICATIONS = Counter(
    "gridcase_notifications_total",
    "Delivery attempts by channel and outcome (delivered, retry, postponed, failed)",
    ["channel", "outcome"],
)


#: Deliveries claimed in one transaction at most.
CLAIM_BATCH = 100


class Backoff:
    """Exponential backoff with "equal jitter": attempt n waits between half the base
    and the base, the base doubling per attempt up to `maximum`; never less than a
    provider's ``Retry-After``."""

    def __init__(self, *, initial: float, maximum: float, rng: random.Random) -> None:
        self.initial = initial
        self.maximum = maximum
        self.rng = rng

    def delay(self, attempts: int, retry_after: float | None) -> float:
        base = min(self.maximum, self.initial * 2 ** min(max(attempts - 1, 0), 32))
        delay = base / 2 + self.rng.uniform(0, base / 2)
        return float(max(delay, retry_after or 0.0))

    def postpone(self, retry_after: float) -> float:
        """The wait after an open circuit's refusal: until the breaker lets a trial
        through, plus up to a tenth of that (at least a second) so that the deliveries
        it held back do not all come back at the same instant."""
        return retry_after + self.rng.uniform(0, max(1.0, retry_after / 10))


@dataclass
class Outcome:
    """An attempt's outcome, to be recorded: the delivery's new values, the event to
    emit, and for a local channel the message to store with it."""

    delivery: Delivery
    values: dict[str, Any]
    event: Any = None
    local: TransactionalChannel | None = None
    message: Message | None = None
    # the attempt's span: its event continues the trace, wherever it is recorded
    context: otel_context.Context = field(default_factory=otel_context.get_current)


class Recorder:
    """Records attempts' outcomes, those that arrive together in one transaction (group
    commit): while one transaction commits, the next outcomes gather for the next. A
    group waits `linger` seconds after its first outcome for others (fewer, larger
    transactions, and as many fewer outbox relay claims; the messages are sent
    already, so no one waits for them), unless `enough` outcomes are there."""

    def __init__(
        self,
        record: Callable[[list[Outcome]], Awaitable[list[bool | Exception]]],
        *,
        linger: float = 0.0,
        enough: int = CLAIM_BATCH,
    ) -> None:
        self._record = record
        self._linger = linger
        self._enough = enough
        self._pending: list[tuple[Outcome, asyncio.Future[bool]]] = []
        self._wake = asyncio.Event()
        self._full = asyncio.Event()

    async def record(self, outcome: Outcome) -> bool:
        """Whether the outcome was recorded (False: the attempt had lost its lease)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((outcome, future))
        self._wake.set()
        if len(self._pending) >= self._enough:
            self._full.set()
        return await future

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            if self._linger > 0 and len(self._pending) < self._enough:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), timeout=self._linger)
            self._wake.clear()
            self._full.clear()
            batch, self._pending = self._pending, []
            if not batch:
                continue
            try:
                recorded = await self._record([outcome for outcome, _ in batch])
            except Exception as exc:
                recorded = [exc] * len(batch)
            except BaseException:
                for _, future in batch:
                    future.cancel()
                raise
            for (_, future), result in zip(batch, recorded, strict=True):
                if future.done():
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)


class _Countdown:
    """A batch's outbound sends still waiting for their answer: local deliveries wait
    until none is left, so that their outcomes join the last send's group."""

    def __init__(self, sends: Iterable[UUID]) -> None:
        self._left = set(sends)
        self._zero = asyncio.Event()
        if not self._left:
            self._zero.set()

    def done(self, delivery_id: UUID) -> None:
        """The send answered, or gave up (counted once, however often it is said)."""
        self._left.discard(delivery_id)
        if not self._left:
            self._zero.set()

    async def wait(self) -> None:
        await self._zero.wait()


class DeliveryWorker(Worker):
    """Claims due deliveries in batches and keeps up to ``NOTIFY_MAX_IN_FLIGHT`` of them
    between claim and record: a batch's staff addresses read with its claim and its
    messages built in the claim's transaction, sends concurrent
    (``NOTIFY_SEND_CONCURRENCY`` per channel, one HTTP client each, kept alive), a
    batch's in-app items recorded with its last SMS answer, outcomes that arrive
    together recorded together (:class:`Recorder`). It is woken when a consumer
    has planned deliveries, else it looks every ``NOTIFY_POLL_INTERVAL_SECONDS``."""

    def __init__(self, *, runtime: NotifyRuntime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.channels = runtime.state.channels
        self._stop = asyncio.Event()
        self._due = runtime.state.deliveries_due
        self._held: set[UUID] = set()  # claimed, not yet recorded: never claimed again here
        self._sending = {
            name: asyncio.Semaphore(self.settings.send_concurrency)
            for name in self.channels.outbound
        }
        self.recorder = Recorder(self._record_all, linger=self.settings.record_linger_seconds)
        self.backoff = Backoff(
            initial=self.settings.backoff_initial_seconds,
            maximum=self.settings.backoff_max_seconds,
            rng=random.Random(),  # noqa: S311 - jitter, not security
        )

    def stop(self) -> None:
        self._stop.set()
        self._due.set()

    async def run(self) -> None:
        recording = asyncio.create_task(self.recorder.run(), name="notify-delivery-recorder")
        batches: set[asyncio.Task[None]] = set()
        try:
            while not self._stop.is_set():
                room = self.settings.max_in_flight - len(self._held)
                limit = min(room, CLAIM_BATCH)
                claimed = 0
                if limit > 0:
                    self._due.clear()  # before the claim: what is planned after it wakes us
                    try:
                        claimed = self._start(await self._claim(limit), batches)
                    except Exception:
                        log.exception("delivery worker failed; retrying")
                if claimed < limit or limit <= 0:
                    await self._idle(batches, full=limit <= 0)
            if batches:
                await asyncio.wait(batches)
        finally:
            recording.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recording
            for channel in self.channels.outbound.values():
                await channel.close()

    async def _idle(self, batches: set[asyncio.Task[None]], *, full: bool) -> None:
        """Until the poll interval passes, or sooner: when `full`, until a batch
        finishes; else until deliveries are planned (or the worker is stopped)."""
        if full and batches:
            await asyncio.wait(
                batches,
                timeout=self.settings.poll_interval_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._due.wait(), timeout=self.settings.poll_interval_seconds)

    def _start(
        self,
        claimed: Sequence[tuple[Delivery, Message | Exception]],
        batches: set[asyncio.Task[None]],
    ) -> int:
        if claimed:
            self._held.update(d.id for d, _ in claimed)
            task = asyncio.create_task(self._deliver_batch(claimed))
            batches.add(task)
            task.add_done_callback(batches.discard)
        return len(claimed)

    async def _claim(self, limit: int) -> list[tuple[Delivery, Message | Exception]]:
        """Claims due deliveries and prepares their messages (addresses read in one
        query) in one transaction; the claim is committed before anything is sent. It
        writes no event, so it does not wake the outbox relay."""
        now = self.runtime.clock.now()
        async with self.runtime.sessionmaker() as session, session.begin():
            claimed, contacts = await repository.claim_due(
                session,
                now=now,
                lease=timedelta(seconds=self.settings.lease_seconds),
                limit=limit,
                held=self._held,
            )
            # what a message learns of its delivery (the masked address) is recorded
            # with the outcome, not flushed with the claim
            for delivery in claimed:
                session.expunge(delivery)
            messages = await self._messages(session, claimed)
            del contacts  # held until every address was read from the session
            return list(zip(claimed, messages, strict=True))

    async def _deliver_batch(self, claimed: Sequence[tuple[Delivery, Message | Exception]]) -> None:
        """Sends a batch concurrently. A local channel's outcome waits until the batch's
        outbound sends have their answers, so that the batch's outcomes are recorded
        together (one transaction) rather than the local ones first on their own."""
        answered = _Countdown(d.id for d, _ in claimed if d.channel not in self.channels.local)
        try:
            results = await asyncio.gather(
                *(self._deliver(d, m, answered) for d, m in claimed),
                return_exceptions=True,
            )
            for result in results:
                if isinstance(result, BaseException):
                    log.error(
                        "delivery outcome not recorded; it waits for its lease", exc_info=result
                    )
        except Exception:
            # left ``sending``: claimed again when the lease runs out, with the same key
            log.exception("delivery batch broke; its deliveries wait for their lease")
        finally:
            self._held.difference_update(d.id for d, _ in claimed)

    async def _messages(
        self, session: AsyncSession, claimed: Sequence[Delivery]
    ) -> list[Message | Exception]:
        """Every delivery's message (or why it has none); staff phones come from the
        session, loaded with the claim."""
        messages: list[Message | Exception] = []
        for delivery in claimed:
            try:
                messages.append(await self._message(session, delivery))
            except Exception as exc:
                messages.append(exc)
        return messages

    async def _deliver(
        self,
        delivery: Delivery,
        prepared: Message | Exception,
        answered: _Countdown | None = None,
    ) -> None:
        """One attempt: sent (outbound) or stored (local), and its outcome recorded. A
        local delivery's outcome waits until `answered` (the batch's outbound sends)."""
        answered = answered or _Countdown(())
        local = self.channels.local.get(delivery.channel)
        with (
            tracing.span(
                self.runtime.service,
                f"{delivery.channel} send",
                context=tracing.context_from_carrier(delivery.trace_context),
                kind=trace.SpanKind.CLIENT,
                attributes={
                    "gridcase.case_id": str(delivery.case_id),
                    "gridcase.delivery_id": str(delivery.id),
                    "gridcase.channel": delivery.channel,
                    "gridcase.attempt": delivery.attempts,
                    "gridcase.correlation_id": delivery.correlation_id,
                },
            ),
            structlog.contextvars.bound_contextvars(
                case_id=str(delivery.case_id),
                correlation_id=delivery.correlation_id,
                delivery_id=str(delivery.id),
            ),
        ):
            address = prepared.address if isinstance(prepared, Message) else None
            try:
                provider_ref = await self._send(delivery, prepared, local)
            except Exception as exc:
                answered.done(delivery.id)
                if local is not None:
                    await answered.wait()
                await self._not_sent(delivery, exc, address)
                return
            finally:
                answered.done(delivery.id)
            if local is not None:
                # the message and the delivery record commit together
                assert isinstance(prepared, Message)
                await answered.wait()
                await self._delivered(delivery, None, local=local, message=prepared)
            else:
                await self._delivered(delivery, provider_ref)

    async def _send(
        self,
        delivery: Delivery,
        prepared: Message | Exception,
        local: TransactionalChannel | None,
    ) -> str | None:
        """Sends an outbound delivery; its provider's reference. A local one is stored
        with its outcome, not here."""
        channel = self.channels.outbound.get(delivery.channel)
        if local is None and channel is None:
            raise RetryableSendError(f"channel {delivery.channel} is not configured")
        if isinstance(prepared, Exception):
            raise prepared
        if local is not None:
            return None
        assert channel is not None
        async with self._sending[delivery.channel]:
            result = await channel.send(prepared)
        return result.provider_ref

    async def _not_sent(self, delivery: Delivery, exc: Exception, address: str | None) -> None:
        """Records why an attempt did not deliver: postponed, retried, or failed."""
        if isinstance(exc, CircuitOpenError):
            await self._postpone(delivery, redact(str(exc), address), exc.retry_after)
        elif isinstance(exc, RetryableSendError):
            await self._retry_or_fail(delivery, redact(str(exc), address), exc.retry_after)
        elif isinstance(exc, PermanentSendError):
            await self._fail(delivery, redact(str(exc), address))
        else:  # a bug or an outage: counted, retried, then failed
            log.error("delivery attempt broke", exc_info=exc)
            await self._retry_or_fail(delivery, f"unexpected {type(exc).__name__}", None)

    async def _message(self, session: AsyncSession, delivery: Delivery) -> Message:
        address = await resolver.resolve(
            session,
            recipient_id=delivery.recipient_id,
            channel=delivery.channel,
            settings=self.settings,
            pii=self.runtime.pii,
        )
        delivery.recipient_masked = address.masked
        language = self.settings.language
        try:
            text = templates.render(
                channel=delivery.channel,
                event_type=delivery.template,
                language=language,
                params=templates.enrich(
                    delivery.params, language=language, sign_name=self.settings.sms_sign_name
                ),
            )
        except (templates.TemplateNotFound, UndefinedError) as exc:
            raise PermanentSendError(f"cannot render the message: {exc}") from exc
        params = dict(delivery.params)
        if delivery.channel == "inapp":
            params |= {
                "case_id": delivery.case_id,
                "event_type": delivery.trigger_event_type,
            }
        return Message(
            idempotency_key=delivery.idempotency_key,
            address=address.value,
            template_id=(
                templates.SMS_TEMPLATE_IDS.get(delivery.template, delivery.template)
                if delivery.channel == "sms"
                else delivery.template
            ),
            params=params,
            text=text,
        )

    def _ref(self, delivery: Delivery) -> dict[str, Any]:
        return {
            "delivery_id": delivery.id,
            "case_id": delivery.case_id,
            "channel": delivery.channel,
            "recipient_id": delivery.recipient_id,
            "recipient_masked": delivery.recipient_masked,
            "trigger_event_id": delivery.trigger_event_id,
            "trigger_event_type": delivery.trigger_event_type,
            "attempts": delivery.attempts,
        }

    async def _record(
        self,
        delivery: Delivery,
        values: dict[str, Any],
        *,
        event: Any = None,
        local: TransactionalChannel | None = None,
        message: Message | None = None,
    ) -> bool:
        """Records an attempt's outcome (and emits its event) if the attempt still holds
        its lease; otherwise drops it, logged. Returns whether it was recorded."""
        outcome = Outcome(delivery, values, event=event, local=local, message=message)
        if await self.recorder.record(outcome):
            return True
        log.warning(
            "attempt outcome dropped: the delivery no longer holds this attempt's lease",
            attempts=delivery.attempts,
            outcome=values["status"],
        )
        return False

    async def _record_all(self, outcomes: list[Outcome]) -> list[bool | Exception]:
        """The outcomes in one transaction; if it fails, each in its own (so that one
        that cannot be recorded does not hold back the others)."""
        try:
            async with self.runtime.transaction() as session:
                return list(await self._record_in(session, outcomes))
        except Exception as exc:
            if len(outcomes) == 1:
                return [exc]
            log.warning("outcomes not recorded together; one by one", error=type(exc).__name__)
        results: list[bool | Exception] = []
        for outcome in outcomes:
            try:
                async with self.runtime.transaction() as session:
                    results.extend(await self._record_in(session, [outcome]))
            except Exception as exc:
                results.append(exc)
        return results

    async def _record_in(self, session: AsyncSession, outcomes: list[Outcome]) -> list[bool]:
        """Whether each attempt still held its lease (if not, nothing of it is written).
        The deliveries' rows in one ``UPDATE`` per kind of outcome, guarded by the
        attempt; then, for the attempts that held, the in-app items (stored only once
        the guard passed: a lost lease stores nothing) with their references, and every
        event in one ``INSERT`` into the outbox."""
        held = await repository.finish_attempts(
            session, [(o.delivery.id, o.delivery.attempts, o.values) for o in outcomes]
        )
        refs = await self._store(session, [o for o in outcomes if o.delivery.id in held])
        rows: list[dict[str, Any]] = []
        for outcome in outcomes:
            delivery, event = outcome.delivery, outcome.event
            if delivery.id not in held:
                continue
            if delivery.id in refs:
                outcome.values["provider_ref"] = refs[delivery.id]
                if event is not None:
                    event = event.model_copy(update={"provider_ref": refs[delivery.id]})
            if event is not None:
                rows.append(self._outbox_row(outcome, event))
        await repository.set_provider_refs(session, refs)
        await outbox.enqueue_rows(session, self.runtime.schema.outbox, rows)
        return [o.delivery.id in held for o in outcomes]

    async def _store(
        self, session: AsyncSession, outcomes: list[Outcome]
    ) -> dict[UUID, str | None]:
        """The local channels' messages of these outcomes, stored together per channel;
        their references by delivery."""
        by_channel: dict[str, list[tuple[UUID, Message]]] = {}
        channels: dict[str, TransactionalChannel] = {}
        for outcome in outcomes:
            if outcome.local is not None and outcome.message is not None:
                channels[outcome.local.name] = outcome.local
                by_channel.setdefault(outcome.local.name, []).append(
                    (outcome.delivery.id, outcome.message)
                )
        refs: dict[UUID, str | None] = {}
        for name, stored in by_channel.items():
            found = await channels[name].store_many(session, [m for _, m in stored])
            refs.update(zip((i for i, _ in stored), found, strict=True))
        return refs

    def _outbox_row(self, outcome: Outcome, payload: Any) -> dict[str, Any]:
        """The outcome's event as an outbox row; its span continues the attempt's trace."""
        delivery = outcome.delivery
        token = otel_context.attach(outcome.context)
        try:
            event = self.runtime.event(
                payload,
                subject=str(delivery.case_id or delivery.recipient_id),
                correlation_id=delivery.correlation_id,
                causation_id=str(delivery.trigger_event_id),
            )
            return outbox.outbox_row(event)
        finally:
            otel_context.detach(token)

    async def _delivered(
        self,
        delivery: Delivery,
        provider_ref: str | None,
        *,
        local: TransactionalChannel | None = None,
        message: Message | None = None,
    ) -> None:
        now = self.runtime.clock.now()
        if not await self._record(
            delivery,
            {
                "status": "delivered",
                "provider_ref": provider_ref,
                "delivered_at": now,
                "recipient_masked": delivery.recipient_masked,
                "updated_at": now,
                "lease_until": None,
                "last_error": None,
            },
            event=payloads.NotificationDelivered(
                **self._ref(delivery), provider_ref=provider_ref, delivered_at=now
            ),
            local=local,
            message=message,
        ):
            return
        NOTIFICATIONS.labels(delivery.channel, "delivered").inc()
        log.info("notification delivered", channel=delivery.channel, attempts=delivery.attempts)

    async def _retry_or_fail(
        self, delivery: Delivery, error: str, retry_after: float | None
    ) -> None:
        if delivery.attempts >= self.settings.max_attempts:
            await self._fail(delivery, error)
            return
        now = self.runtime.clock.now()
        delay = self.backoff.delay(delivery.attempts, retry_after)
        if not await self._record(
            delivery,
            {
                "status": "pending",
                "next_attempt_at": now + timedelta(seconds=delay),
                "lease_until": None,
                "last_error": error,
                "recipient_masked": delivery.recipient_masked,
                "updated_at": now,
            },
        ):
            return
        NOTIFICATIONS.labels(delivery.channel, "retry").inc()
        log.warning(
            "notification will be retried",
            error=error,
            attempts=delivery.attempts,
            retry_in_seconds=round(delay, 2),
        )

    async def _postpone(self, delivery: Delivery, error: str, retry_after: float | None) -> None:
        """The circuit refused the attempt before the provider was called: the delivery
        waits for the breaker's half-open time and the attempt does not count."""
        now = self.runtime.clock.now()
        delay = self.backoff.postpone(retry_after or 0.0)
        if not await self._record(
            delivery,
            {
                "status": "pending",
                "attempts": delivery.attempts - 1,
                "next_attempt_at": now + timedelta(seconds=delay),
                "lease_until": None,
                "last_error": error,
                "recipient_masked": delivery.recipient_masked,
                "updated_at": now,
            },
        ):
            return
        NOTIFICATIONS.labels(delivery.channel, "postponed").inc()
        log.info("notification postponed: circuit open", retry_in_seconds=round(delay, 2))

    async def _fail(self, delivery: Delivery, error: str) -> None:
        now = self.runtime.clock.now()
        if not await self._record(
            delivery,
            {
                "status": "failed",
                "last_error": error,
                "lease_until": None,
                "recipient_masked": delivery.recipient_masked,
                "updated_at": now,
            },
            event=payloads.NotificationFailed(**self._ref(delivery), error=error, failed_at=now),
        ):
            return
        NOTIFICATIONS.labels(delivery.channel, "failed").inc()
        log.error("notification failed", error=error, attempts=delivery.attempts)
