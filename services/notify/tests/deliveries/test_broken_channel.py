"""A channel that breaks unexpectedly costs an attempt, like any failure, and is
retried, then failed: a delivery never stays stuck."""

from datetime import timedelta
from typing import Any

import pytest

from notify.channels.base import Message, SendResult

pytestmark = pytest.mark.integration


class BrokenSms:
    name = "sms"

    def __init__(self) -> None:
        self.calls = 0

    async def send(self, message: Message) -> SendResult:
        self.calls += 1
        raise RuntimeError("a bug in a channel")

    async def close(self) -> None:
        return None


@pytest.fixture
def broken() -> BrokenSms:
    return BrokenSms()


@pytest.fixture
def notify_channels(broken: BrokenSms) -> dict[str, Any]:
    return {"sms": broken}


async def test_an_unexpected_error_is_retried_then_recorded_as_failed(
    client: Any, staff: Any, assigned: Any, deliveries: Any, clock: Any, broken: BrokenSms
) -> None:
    await staff()
    event = await assigned()

    for attempt in (1, 2):
        waiting = await deliveries(
            event.subject,
            lambda d, a=attempt: d[0]["attempts"] == a and d[0]["status"] == "pending",
        )
        assert waiting[0]["last_error"] == "unexpected RuntimeError"
        clock.advance(timedelta(seconds=60))
    [failed] = await deliveries(event.subject, lambda d: d[0]["status"] == "failed")

    assert failed["attempts"] == 3
    assert broken.calls == 3
