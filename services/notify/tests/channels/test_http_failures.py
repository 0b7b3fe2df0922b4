"""Failure injection shared by every HTTP channel (robots, webhooks): the real local
server answers 500, 429 with Retry-After, 400, answers too late, or is not there."""

from collections.abc import Callable
from typing import Any

import pytest

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import HttpSink, free_port
from notify.channels.base import Channel, Message, PermanentSendError, RetryableSendError
from notify.channels.dingtalk import DingTalkRobotChannel
from notify.channels.webhook import WebhookChannel
from notify.channels.wecom import WeComRobotChannel

FACTORIES: dict[str, Callable[[float, ManualClock], Channel]] = {
    "wecom": lambda timeout, clock: WeComRobotChannel(timeout=timeout, clock=clock),
    "dingtalk": lambda timeout, clock: DingTalkRobotChannel(
        timeout=timeout, clock=clock, secrets={"t0k3n": "SECxyz"}
    ),
    "webhook": lambda timeout, clock: WebhookChannel(secret="s3", timeout=timeout, clock=clock),
}


@pytest.fixture(params=sorted(FACTORIES))
async def channel(request: Any, clock: ManualClock) -> Any:
    made = FACTORIES[request.param](0.5, clock)
    yield made
    await made.close()


def message_to(base: str) -> Message:
    return Message(
        idempotency_key="evt-1:r:c",
        address=f"{base}/send?access_token=t0k3n",
        template_id="GC_CASE_ASSIGNED",
        params={"subject": "x"},
        text="新案件",
    )


async def test_500_is_retryable(channel: Channel, http_sink: HttpSink) -> None:
    http_sink.reply_next(500)

    with pytest.raises(RetryableSendError, match="answered 500") as raised:
        await channel.send(message_to(http_sink.url))

    assert raised.value.retry_after is None
    assert len(http_sink.requests) == 1


async def test_429_honours_retry_after(channel: Channel, http_sink: HttpSink) -> None:
    http_sink.reply_next(429, headers={"Retry-After": "7"})

    with pytest.raises(RetryableSendError, match="answered 429") as raised:
        await channel.send(message_to(http_sink.url))

    assert raised.value.retry_after == 7


async def test_400_is_permanent(channel: Channel, http_sink: HttpSink) -> None:
    http_sink.reply_next(400, json={"error": "bad request"})

    with pytest.raises(PermanentSendError, match="400"):
        await channel.send(message_to(http_sink.url))


async def test_a_redirect_is_not_followed_and_not_taken_for_delivery(
    channel: Channel, http_sink: HttpSink
) -> None:
    http_sink.reply_next(302, headers={"Location": f"{http_sink.url}/elsewhere"})

    with pytest.raises(PermanentSendError, match="302"):
        await channel.send(message_to(http_sink.url))

    assert [r.path for r in http_sink.requests] == ["/send"]


async def test_a_server_too_slow_to_answer_is_retryable(
    channel: Channel, http_sink: HttpSink
) -> None:
    http_sink.reply_next(200, delay=5.0)  # the channel gives up after 0.5 s

    with pytest.raises(RetryableSendError, match="timed out"):
        await channel.send(message_to(http_sink.url))

    assert len(http_sink.requests) == 1


async def test_a_server_that_is_not_there_is_retryable(channel: Channel) -> None:
    with pytest.raises(RetryableSendError, match="unreachable"):
        await channel.send(message_to(f"http://127.0.0.1:{free_port()}"))
