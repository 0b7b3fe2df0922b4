"""The circuit breaker: pure logic with an injected clock and a scripted channel (unit
tests), and once against a real local HTTP server that goes down."""

import asyncio
import secrets
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import HttpSink
from notify.channels._http import RobotThrottledError
from notify.channels.base import Message, PermanentSendError, RetryableSendError, SendResult
from notify.channels.breaker import (
    BreakerChannel,
    CircuitBreaker,
    CircuitBreakerRegistry,
    CircuitOpenError,
    State,
    url_host,
)
from notify.channels.webhook import WebhookChannel


class ScriptedChannel:
    """A stand-in provider for the pure-logic tests: each send pops the next outcome
    (an exception to raise, or None for success) and counts the calls."""

    def __init__(self) -> None:
        self.name = f"scripted-{secrets.token_hex(3)}"  # a gauge label of its own
        self.outcomes: list[Exception | None] = []
        self.calls = 0
        self.gate: asyncio.Event | None = None
        self.closed = False

    async def send(self, message: Message) -> SendResult:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return SendResult(provider_ref=f"ref-{self.calls}")

    async def close(self) -> None:
        self.closed = True


def to(url: str) -> Message:
    return Message(
        idempotency_key="evt-1:r:c", address=url, template_id="T", params={}, text="新案件"
    )


A = to("https://robot-a.example.org/send?key=1")
B = to("https://robot-b.example.org/send?key=2")


def gauge(channel: str, endpoint: str) -> float | None:
    return REGISTRY.get_sample_value(
        "gridcase_notify_circuit_state", {"channel": channel, "endpoint": endpoint}
    )


@pytest.fixture
def inner() -> ScriptedChannel:
    return ScriptedChannel()


@pytest.fixture
def wrapped(inner: ScriptedChannel, clock: ManualClock) -> BreakerChannel:
    breakers = CircuitBreakerRegistry(clock=clock, failure_threshold=3, reset_timeout=60.0)
    return BreakerChannel(inner, breakers=breakers, endpoint_of=url_host)


async def fail(channel: BreakerChannel, message: Message, times: int) -> None:
    for _ in range(times):
        with pytest.raises(RetryableSendError):
            await channel.send(message)


async def test_opens_after_the_threshold_and_stops_calling_the_provider(
    wrapped: BreakerChannel, inner: ScriptedChannel, clock: ManualClock
) -> None:
    assert wrapped.name == inner.name
    inner.outcomes = [RetryableSendError("503")] * 3
    await fail(wrapped, A, 2)
    assert gauge(inner.name, "robot-a.example.org") == State.CLOSED
    await fail(wrapped, A, 1)
    assert inner.calls == 3
    assert gauge(inner.name, "robot-a.example.org") == State.OPEN

    with pytest.raises(RetryableSendError, match="circuit open") as raised:
        await wrapped.send(A)
    assert raised.value.retry_after == 60.0
    clock.advance(timedelta(seconds=20))
    with pytest.raises(CircuitOpenError) as raised:
        await wrapped.send(A)
    assert raised.value.retry_after == 40.0
    assert inner.calls == 3  # the provider was left alone


async def test_a_success_resets_the_count(wrapped: BreakerChannel, inner: ScriptedChannel) -> None:
    inner.outcomes = [RetryableSendError("503")] * 2 + [None] + [RetryableSendError("503")] * 2
    await fail(wrapped, A, 2)
    assert (await wrapped.send(A)).provider_ref == "ref-3"
    await fail(wrapped, A, 2)

    assert await wrapped.send(A)  # still closed: two in a row, not four
    assert inner.calls == 6


async def test_permanent_refusals_and_robot_throttling_do_not_count(
    wrapped: BreakerChannel, inner: ScriptedChannel
) -> None:
    inner.outcomes = [PermanentSendError("400")] * 5 + [RobotThrottledError("45009")] * 5
    for _ in range(5):
        with pytest.raises(PermanentSendError):
            await wrapped.send(A)
    for _ in range(5):
        with pytest.raises(RobotThrottledError):
            await wrapped.send(A)

    assert await wrapped.send(A)
    assert inner.calls == 11
    assert gauge(inner.name, "robot-a.example.org") == State.CLOSED


async def test_one_endpoint_open_leaves_the_others_alone(
    wrapped: BreakerChannel, inner: ScriptedChannel
) -> None:
    inner.outcomes = [RetryableSendError("timeout")] * 3
    await fail(wrapped, A, 3)

    assert await wrapped.send(B)
    with pytest.raises(CircuitOpenError):
        await wrapped.send(A)
    assert gauge(inner.name, "robot-a.example.org") == State.OPEN
    assert gauge(inner.name, "robot-b.example.org") == State.CLOSED


async def test_half_open_lets_one_trial_through_and_its_success_closes(
    wrapped: BreakerChannel, inner: ScriptedChannel, clock: ManualClock
) -> None:
    inner.outcomes = [RetryableSendError("503")] * 3
    await fail(wrapped, A, 3)
    clock.advance(timedelta(seconds=60))

    inner.gate = asyncio.Event()
    trial = asyncio.create_task(wrapped.send(A))
    await asyncio.sleep(0)  # let the trial reach the provider
    assert inner.calls == 4
    assert gauge(inner.name, "robot-a.example.org") == State.HALF_OPEN
    with pytest.raises(CircuitOpenError, match="half-open") as raised:
        await wrapped.send(A)
    assert raised.value.retry_after == 5.0
    inner.gate.set()
    assert (await trial).provider_ref == "ref-4"

    assert gauge(inner.name, "robot-a.example.org") == State.CLOSED
    assert await wrapped.send(A)
    assert inner.calls == 5


async def test_a_failed_trial_opens_it_again_for_a_full_timeout(
    wrapped: BreakerChannel, inner: ScriptedChannel, clock: ManualClock
) -> None:
    inner.outcomes = [RetryableSendError("503")] * 4
    await fail(wrapped, A, 3)
    clock.advance(timedelta(seconds=61))
    await fail(wrapped, A, 1)  # the trial
    assert inner.calls == 4

    with pytest.raises(CircuitOpenError) as raised:
        await wrapped.send(A)
    assert raised.value.retry_after == 60.0
    assert gauge(inner.name, "robot-a.example.org") == State.OPEN


async def test_a_cancelled_trial_frees_the_slot(
    wrapped: BreakerChannel, inner: ScriptedChannel, clock: ManualClock
) -> None:
    inner.outcomes = [RetryableSendError("503")] * 3
    await fail(wrapped, A, 3)
    clock.advance(timedelta(seconds=60))
    inner.gate = asyncio.Event()
    trial = asyncio.create_task(wrapped.send(A))
    await asyncio.sleep(0)
    trial.cancel()
    with pytest.raises(asyncio.CancelledError):
        await trial

    inner.gate.set()
    assert await wrapped.send(A)  # a new trial, which succeeds
    assert inner.calls == 5


async def test_close_closes_the_wrapped_channel(
    wrapped: BreakerChannel, inner: ScriptedChannel
) -> None:
    await wrapped.close()

    assert inner.closed


def test_breaker_state_reads_half_open_once_the_timeout_passed(clock: ManualClock) -> None:
    changes: list[State] = []
    breaker = CircuitBreaker(
        failure_threshold=1, reset_timeout=30.0, clock=clock, on_change=changes.append
    )
    breaker.acquire()
    breaker.failure()
    assert breaker.state is State.OPEN
    clock.advance(timedelta(seconds=29))
    assert breaker.state is State.OPEN
    clock.advance(timedelta(seconds=1))
    assert breaker.state is State.HALF_OPEN
    assert changes == [State.OPEN, State.HALF_OPEN]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"failure_threshold": 0}, "failure_threshold"), ({"reset_timeout": 0}, "reset_timeout")],
)
def test_nonsense_settings_are_refused(clock: ManualClock, kwargs: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        CircuitBreaker(clock=clock, **kwargs)


async def test_a_real_endpoint_that_goes_down_is_left_alone(
    http_sink: HttpSink, clock: ManualClock
) -> None:
    breakers = CircuitBreakerRegistry(clock=clock, failure_threshold=2, reset_timeout=30.0)
    channel = BreakerChannel(
        WebhookChannel(secret="s", timeout=2.0, clock=clock),
        breakers=breakers,
        endpoint_of=url_host,
    )
    message = to(f"{http_sink.url}/callbacks")
    http_sink.reply_next(500, times=2)
    try:
        await fail(channel, message, 2)
        with pytest.raises(CircuitOpenError):
            await channel.send(message)
        assert len(http_sink.requests) == 2
        assert breakers.states() == {("webhook", "127.0.0.1"): State.OPEN}

        clock.advance(timedelta(seconds=30))
        assert await channel.send(message)  # the trial reaches the recovered receiver
        assert len(http_sink.requests) == 3
        assert gauge("webhook", "127.0.0.1") == State.CLOSED
    finally:
        await channel.close()
