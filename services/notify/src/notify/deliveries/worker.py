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
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import structlog
from jinja2 import UndefinedError
from opentelemetry import trace
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads
from gridcase_events.kit import tracing
from gridcase_events.kit.runtime import Worker
from notify import templates
from notify.channels.base import (
    Message,
    PermanentSendError,
    RetryableSendError,
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


class LeaseLost(Exception):
    """The attempt took longer than its lease and the delivery was claimed again (by
    this or another replica): the later attempt's outcome is the one to keep."""


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


class DeliveryWorker(Worker):
    def __init__(self, *, runtime: NotifyRuntime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.channels = runtime.state.channels
        self._stop = asyncio.Event()
        self.backoff = Backoff(
            initial=self.settings.backoff_initial_seconds,
            maximum=self.settings.backoff_max_seconds,
            rng=random.Random(),  # noqa: S311 - jitter, not security
        )

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                worked = await self.run_once()
            except Exception:
                log.exception("delivery worker failed; retrying")
                worked = 0
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._stop.wait(), timeout=self.settings.poll_interval_seconds
                    )
        for channel in self.channels.outbound.values():
            await channel.close()

    async def run_once(self, limit: int = 50) -> int:
        now = self.runtime.clock.now()
        async with self.runtime.transaction() as session:
            claimed = await repository.claim_due(
                session, now=now, lease=timedelta(seconds=self.settings.lease_seconds), limit=limit
            )
        await asyncio.gather(*(self._deliver(d) for d in claimed))
        return len(claimed)

    async def _deliver(self, delivery: Delivery) -> None:
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
            address: str | None = None
            try:
                local = self.channels.local.get(delivery.channel)
                channel = self.channels.outbound.get(delivery.channel)
                if local is None and channel is None:
                    raise RetryableSendError(f"channel {delivery.channel} is not configured")
                message = await self._message(delivery)
                address = message.address
                if local is not None:
                    # the message and the delivery record commit together
                    await self._delivered(delivery, None, store=local.store, message=message)
                    return
                assert channel is not None
                result = await channel.send(message)
            except CircuitOpenError as exc:
                await self._postpone(delivery, redact(str(exc), address), exc.retry_after)
            except RetryableSendError as exc:
                await self._retry_or_fail(delivery, redact(str(exc), address), exc.retry_after)
            except PermanentSendError as exc:
                await self._fail(delivery, redact(str(exc), address))
            except Exception as exc:  # a bug or an outage: counted, retried, then failed
                log.exception("delivery attempt broke")
                await self._retry_or_fail(delivery, f"unexpected {type(exc).__name__}", None)
            else:
                await self._delivered(delivery, result.provider_ref)

    async def _message(self, delivery: Delivery) -> Message:
        async with self.runtime.sessionmaker() as session:
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

    async def _record(self, delivery: Delivery, values: dict[str, Any], **emit: Any) -> bool:
        """Records an attempt's outcome (and emits its event) if the attempt still holds
        its lease; otherwise drops it, logged. Returns whether it was recorded."""
        try:
            async with self.runtime.transaction() as session:
                await self._record_in(session, delivery, values, **emit)
        except LeaseLost:
            log.warning(
                "attempt outcome dropped: the delivery no longer holds this attempt's lease",
                attempts=delivery.attempts,
                outcome=values["status"],
            )
            return False
        return True

    async def _record_in(
        self,
        session: AsyncSession,
        delivery: Delivery,
        values: dict[str, Any],
        *,
        event: Any = None,
        store: Callable[[AsyncSession, Message], Awaitable[str | None]] | None = None,
        message: Message | None = None,
    ) -> None:
        if store is not None and message is not None:
            values["provider_ref"] = await store(session, message)
            if event is not None:
                event = event.model_copy(update={"provider_ref": values["provider_ref"]})
        if not await repository.finish(session, delivery.id, values, attempt=delivery.attempts):
            raise LeaseLost  # rolls back what this transaction stored
        if event is not None:
            await self.runtime.emit(
                session,
                event,
                subject=str(delivery.case_id or delivery.recipient_id),
                correlation_id=delivery.correlation_id,
                causation_id=str(delivery.trigger_event_id),
            )

    async def _delivered(
        self,
        delivery: Delivery,
        provider_ref: str | None,
        *,
        store: Callable[[AsyncSession, Message], Awaitable[str | None]] | None = None,
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
            store=store,
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
