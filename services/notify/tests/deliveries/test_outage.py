"""An outage delays notifications, it does not fail them: a refusal by an open circuit
does not count as an attempt (issue 16, finding 5)."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import HttpSink

pytestmark = pytest.mark.integration

RESET = 60


@pytest.fixture
def notify_overrides() -> dict[str, Any]:
    # one failure opens the circuit for a minute (and three attempts at most: conftest)
    return {"breaker_threshold": 1, "breaker_reset_seconds": RESET}


def settled(clock: ManualClock) -> Callable[[list[dict[str, Any]]], bool]:
    """The delivery is done, or waits for a time still to come (the worker is idle)."""

    def check(items: list[dict[str, Any]]) -> bool:
        [item] = items
        if item["status"] in ("delivered", "failed"):
            return True
        due = datetime.fromisoformat(item["next_attempt_at"])
        return bool(item["status"] == "pending" and due > clock.now())

    return check


async def test_refusals_by_an_open_circuit_do_not_use_up_an_urgent_sms(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    http_sink: HttpSink,
    clock: ManualClock,
) -> None:
    http_sink.fail_next(503, times=2)  # the gateway is down for two calls
    await staff()
    event = await assigned(priority="urgent")
    opened = clock.now()

    [first] = await deliveries(event.subject, settled(clock))
    assert (first["status"], first["attempts"]) == ("pending", 1)
    clock.advance(timedelta(seconds=15))  # due again, but the circuit is still open

    [held] = await deliveries(event.subject, lambda d: "circuit" in (d[0]["last_error"] or ""))
    assert held["status"] == "pending"
    assert held["attempts"] == 1  # the refusal gave its attempt back
    assert len(http_sink.requests) == 1  # the gateway was left alone
    due = datetime.fromisoformat(held["next_attempt_at"])
    assert opened + timedelta(seconds=RESET) <= due <= opened + timedelta(seconds=RESET + 7)

    clock.advance(due - clock.now())  # half-open: one trial, which fails
    [second] = await deliveries(event.subject, lambda d: d[0]["attempts"] == 2)
    [second] = await deliveries(event.subject, settled(clock))
    assert second["status"] == "pending"
    assert len(http_sink.requests) == 2
    clock.advance(timedelta(seconds=25))  # past the backoff, before the breaker's time
    [refused] = await deliveries(
        event.subject,
        lambda d: (
            settled(clock)(d)
            and datetime.fromisoformat(d[0]["next_attempt_at"])
            > clock.now() + timedelta(seconds=10)
        ),
    )
    assert refused["attempts"] == 2
    clock.advance(datetime.fromisoformat(refused["next_attempt_at"]) - clock.now())

    [done] = await deliveries(event.subject, lambda d: d[0]["status"] in ("delivered", "failed"))
    assert done["status"] == "delivered"
    assert done["attempts"] == 3
    assert len(http_sink.requests) == 3
    assert len({r.headers["x-idempotency-key"] for r in http_sink.requests}) == 1
