"""A circuit breaker per endpoint, so that a provider that is down is left alone for a
while instead of being hammered by every pending delivery.

closed
    calls go through; ``failure_threshold`` retryable failures in a row open it.
open
    calls fail at once with :class:`RetryableSendError` ("circuit open") carrying the
    seconds until ``reset_timeout`` has passed since it opened.
half-open
    after ``reset_timeout``, one trial call goes through (the others are told to come
    back shortly): its success closes the breaker, its failure opens it again.

Only retryable failures (timeouts, unreachable hosts, 5xx, 429) count: a permanent
refusal is the message's fault, and proves the endpoint is answering.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from prometheus_client import Gauge

from gridcase_events.kit.clock import Clock
from notify.channels._http import RobotThrottledError
from notify.channels.base import (
    Channel,
    Message,
    PermanentSendError,
    RetryableSendError,
    SendResult,
)

CIRCUIT_STATE = Gauge(
    "gridcase_notify_circuit_state",
    "Circuit breaker state per channel and endpoint host: 0 closed, 1 half-open, 2 open",
    ["channel", "endpoint"],
)


class State(enum.IntEnum):
    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitOpenError(RetryableSendError):
    """The endpoint's circuit is open: the provider was not called."""


class CircuitBreaker:
    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        reset_timeout: float = 60.0,
        clock: Clock,
        trial_retry_after: float = 5.0,
        on_change: Callable[[State], None] | None = None,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if reset_timeout <= 0:
            raise ValueError("reset_timeout must be positive")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.trial_retry_after = trial_retry_after
        self._clock = clock
        self._on_change = on_change
        self._state = State.CLOSED
        self._failures = 0
        self._opened_at: datetime | None = None
        self._trial_running = False

    @property
    def state(self) -> State:
        """The state now: an open breaker whose timeout has passed is half-open."""
        if self._state is State.OPEN and self._seconds_until_half_open() <= 0:
            self._move(State.HALF_OPEN)
        return self._state

    @property
    def failures(self) -> int:
        """Retryable failures in a row since the last success."""
        return self._failures

    def _seconds_until_half_open(self) -> float:
        assert self._opened_at is not None
        reopen = self._opened_at + timedelta(seconds=self.reset_timeout)
        return (reopen - self._clock.now()).total_seconds()

    def _move(self, state: State) -> None:
        if state is not self._state:
            self._state = state
            if self._on_change is not None:
                self._on_change(state)

    def acquire(self) -> None:
        """Asks to make a call; raises :class:`CircuitOpenError` when it may not."""
        state = self.state
        if state is State.CLOSED:
            return
        if state is State.OPEN:
            raise CircuitOpenError(
                "circuit open", retry_after=max(0.0, self._seconds_until_half_open())
            )
        if self._trial_running:
            raise CircuitOpenError("circuit half-open", retry_after=self.trial_retry_after)
        self._trial_running = True

    def success(self) -> None:
        """The endpoint answered (an accepted message, or a permanent refusal)."""
        self._trial_running = False
        self._failures = 0
        self._opened_at = None
        self._move(State.CLOSED)

    def failure(self) -> None:
        """The endpoint failed in a way worth retrying."""
        was_trial = self._trial_running
        self._trial_running = False
        self._failures += 1
        if was_trial or self.state is State.HALF_OPEN or self._failures >= self.failure_threshold:
            self._opened_at = self._clock.now()
            self._move(State.OPEN)

    def release(self) -> None:
        """The call ended without a verdict on the endpoint (cancelled, say)."""
        self._trial_running = False


def host_of(endpoint: str) -> str:
    """The host of a URL (or the string itself when it is a bare host)."""
    if "://" in endpoint:
        return urlsplit(endpoint).hostname or "unknown"
    return endpoint.rpartition("@")[2].partition(":")[0] or "unknown"


def url_host(message: Message) -> str:
    """An `endpoint_of` for channels whose address is a URL: its host."""
    return host_of(message.address)


class CircuitBreakerRegistry:
    """One breaker per (channel, endpoint host), created on first use, each reporting
    its state to ``gridcase_notify_circuit_state``."""

    def __init__(
        self,
        *,
        clock: Clock,
        failure_threshold: int = 5,
        reset_timeout: float = 60.0,
        trial_retry_after: float = 5.0,
    ) -> None:
        self._clock = clock
        self._failure_threshold = failure_threshold
        self._reset_timeout = reset_timeout
        self._trial_retry_after = trial_retry_after
        self._breakers: dict[tuple[str, str], CircuitBreaker] = {}

    def get(self, channel: str, endpoint: str) -> CircuitBreaker:
        host = host_of(endpoint)  # the label stays bounded whatever endpoint_of returns
        key = (channel, host)
        breaker = self._breakers.get(key)
        if breaker is None:
            gauge = CIRCUIT_STATE.labels(channel=channel, endpoint=host)
            gauge.set(State.CLOSED)
            breaker = CircuitBreaker(
                failure_threshold=self._failure_threshold,
                reset_timeout=self._reset_timeout,
                clock=self._clock,
                trial_retry_after=self._trial_retry_after,
                on_change=lambda state: gauge.set(state),
            )
            self._breakers[key] = breaker
        return breaker

    def states(self) -> dict[tuple[str, str], State]:
        return {key: breaker.state for key, breaker in self._breakers.items()}


class BreakerChannel:
    """Wraps any channel with the breaker of the endpoint each message goes to."""

    def __init__(
        self,
        inner: Channel,
        *,
        breakers: CircuitBreakerRegistry,
        endpoint_of: Callable[[Message], str],
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self._breakers = breakers
        self._endpoint_of = endpoint_of

    async def send(self, message: Message) -> SendResult:
        breaker = self._breakers.get(self.name, self._endpoint_of(message))
        breaker.acquire()
        try:
            result = await self.inner.send(message)
        except PermanentSendError:
            breaker.success()
            raise
        except RobotThrottledError:
            breaker.release()  # one robot's own limit, not the endpoint's health
            raise
        except RetryableSendError:
            breaker.failure()
            raise
        except (asyncio.CancelledError, KeyboardInterrupt):
            breaker.release()
            raise
        except Exception:
            breaker.failure()
            raise
        breaker.success()
        return result

    async def close(self) -> None:
        await self.inner.close()
