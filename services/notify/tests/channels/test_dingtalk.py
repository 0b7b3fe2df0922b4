"""DingTalk group robots, against a real local HTTP server standing in for oapi; the
加签 parameters are checked with an independent computation."""

import base64
import hashlib
import hmac
import urllib.parse
from typing import Any

import pytest

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import HttpSink
from notify.channels._http import RobotThrottledError
from notify.channels.base import Message, PermanentSendError, RetryableSendError
from notify.channels.dingtalk import DingTalkRobotChannel

OK = {"errcode": 0, "errmsg": "ok"}
TOKEN = "b1c2d3e4f5a6"
SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"


def robot_message(url: str, **params: Any) -> Message:
    return Message(
        idempotency_key="evt-1:gl111:dingtalk",
        address=f"{url}/robot/send?access_token={TOKEN}",
        template_id="GC_CASE_ESCALATED",
        params=params,
        text="## 案件升级\n\nGC-20261121-AAAAAA 已超时,请网格长督办。",
    )


def documented_sign(secret: str, timestamp_ms: str) -> str:
    """DingTalk's recipe: Base64(HmacSHA256(secret, "<timestamp>\\n<secret>"))."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


@pytest.mark.parametrize("key", ["token", "url"])
async def test_a_signed_robot_gets_timestamp_and_sign(
    http_sink: HttpSink, clock: ManualClock, key: str
) -> None:
    address = f"{http_sink.url}/robot/send?access_token={TOKEN}"
    channel = DingTalkRobotChannel(
        secrets={TOKEN if key == "token" else address: SECRET}, clock=clock
    )
    http_sink.reply_next(json=OK)
    try:
        result = await channel.send(robot_message(http_sink.url))
    finally:
        await channel.close()

    assert channel.name == "dingtalk"
    assert result.provider_ref is None
    [request] = http_sink.requests
    assert request.path == "/robot/send"
    query = urllib.parse.parse_qs(request.query)
    assert query["access_token"] == [TOKEN]
    assert query["timestamp"] == [str(int(clock.now().timestamp()) * 1000)]
    expected = documented_sign(SECRET, query["timestamp"][0])
    assert query["sign"] == [expected]
    # on the wire, the Base64 is URL-encoded ('+', '/' and '=' escaped), as documented
    raw_sign = request.query.split("sign=", 1)[1]
    assert raw_sign == urllib.parse.quote_plus(expected)
    assert documented_sign("SECsomeone-else", query["timestamp"][0]) != query["sign"][0]


async def test_markdown_body_with_a_title(http_sink: HttpSink, clock: ManualClock) -> None:
    channel = DingTalkRobotChannel(clock=clock)
    http_sink.reply_next(json=OK)
    http_sink.reply_next(json=OK)
    try:
        await channel.send(robot_message(http_sink.url))
        await channel.send(robot_message(http_sink.url, title="督办:GC-20261121-AAAAAA"))
    finally:
        await channel.close()

    first, second = (r.json() for r in http_sink.requests)
    assert first == {
        "msgtype": "markdown",
        "markdown": {
            "title": "案件升级",
            "text": "## 案件升级\n\nGC-20261121-AAAAAA 已超时,请网格长督办。",
        },
    }
    assert second["markdown"]["title"] == "督办:GC-20261121-AAAAAA"
    # no secret configured for this robot: the URL is left as it is
    assert http_sink.requests[0].query == f"access_token={TOKEN}"


@pytest.mark.parametrize(
    ("errcode", "error"),
    [
        (130101, RobotThrottledError),  # send too fast
        (-1, RetryableSendError),  # system busy
        (310000, PermanentSendError),  # sign not match / keywords not in content
        (300001, PermanentSendError),  # token is not exist
    ],
)
async def test_errcodes(
    http_sink: HttpSink, clock: ManualClock, errcode: int, error: type[Exception]
) -> None:
    channel = DingTalkRobotChannel(clock=clock)
    http_sink.reply_next(json={"errcode": errcode, "errmsg": "refused"})
    try:
        with pytest.raises(error, match=f"errcode {errcode}") as raised:
            await channel.send(robot_message(http_sink.url))
    finally:
        await channel.close()

    if error is RobotThrottledError:
        assert raised.value.retry_after == 600.0  # DingTalk holds a robot back 10 minutes
    else:
        assert type(raised.value) is error
