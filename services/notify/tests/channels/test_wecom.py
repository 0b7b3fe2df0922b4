"""WeCom group robots, against a real local HTTP server standing in for qyapi."""

from typing import Any

import pytest

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import HttpSink
from notify.channels._http import RobotThrottledError
from notify.channels.base import Message, PermanentSendError, RetryableSendError
from notify.channels.wecom import WeComRobotChannel

OK = {"errcode": 0, "errmsg": "ok"}


def robot_message(url: str, text: str = "### 新案件\n> 垃圾满溢,请及时处理。") -> Message:
    return Message(
        idempotency_key="evt-1:gm111a:wecom",
        address=f"{url}/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
        template_id="GC_CASE_ASSIGNED",
        params={"tracking_no": "GC-20261121-AAAAAA"},
        text=text,
    )


@pytest.fixture
async def wecom(clock: ManualClock) -> Any:
    channel = WeComRobotChannel(timeout=2.0, clock=clock)
    yield channel
    await channel.close()


async def test_posts_markdown_to_the_robot_webhook(
    wecom: WeComRobotChannel, http_sink: HttpSink
) -> None:
    http_sink.reply_next(json=OK)

    result = await wecom.send(robot_message(http_sink.url))

    assert wecom.name == "wecom"
    assert result.provider_ref is None
    [request] = http_sink.requests
    assert request.method == "POST"
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == "key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {"content": "### 新案件\n> 垃圾满溢,请及时处理。"},
    }


async def test_text_robots_and_the_byte_limit(http_sink: HttpSink, clock: ManualClock) -> None:
    channel = WeComRobotChannel(msgtype="text", clock=clock)
    http_sink.reply_next(json=OK)
    try:
        await channel.send(robot_message(http_sink.url, text="案" * 1000))  # 3000 bytes
    finally:
        await channel.close()

    body = http_sink.requests[0].json()
    assert body["msgtype"] == "text"
    content = body["text"]["content"]
    assert len(content.encode()) <= 2048
    assert content.endswith("…")
    assert content.startswith("案" * 600)


@pytest.mark.parametrize(
    ("errcode", "error"),
    [
        (45009, RobotThrottledError),  # 接口调用超过限制
        (-1, RetryableSendError),  # 系统繁忙
        (93000, PermanentSendError),  # invalid webhook url
        (40008, PermanentSendError),  # invalid message type
    ],
)
async def test_errcodes(
    wecom: WeComRobotChannel, http_sink: HttpSink, errcode: int, error: type[Exception]
) -> None:
    http_sink.reply_next(json={"errcode": errcode, "errmsg": "refused"})

    with pytest.raises(error, match=f"errcode {errcode}") as raised:
        await wecom.send(robot_message(http_sink.url))

    if errcode == 45009:
        assert isinstance(raised.value, RetryableSendError)
        assert raised.value.retry_after == 60.0
    else:
        assert type(raised.value) is error


async def test_an_answer_without_errcode_json_is_retried(
    wecom: WeComRobotChannel, http_sink: HttpSink
) -> None:
    http_sink.reply_next(json=["not", "an", "object"])

    with pytest.raises(RetryableSendError, match="without a JSON object"):
        await wecom.send(robot_message(http_sink.url))
