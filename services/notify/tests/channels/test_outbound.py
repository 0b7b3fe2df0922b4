"""Robot and webhook URLs reach allowed hosts only; redirects are not followed; a
refusal does not quote the answer (issue 16, finding 10)."""

import pytest

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import HttpSink
from notify.channels.base import Message, PermanentSendError
from notify.channels.outbound import DestinationRefused, GuardedTransport, OutboundHosts
from notify.channels.registry import build_channels
from notify.channels.webhook import WebhookChannel
from notify.channels.wecom import WeComRobotChannel
from notify.config import NotifySettings

DEFAULTS = OutboundHosts(["qyapi.weixin.qq.com", "oapi.dingtalk.com"])


@pytest.mark.parametrize(
    "url",
    [
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        "https://oapi.dingtalk.com/robot/send?access_token=t",
        "https://QYAPI.weixin.qq.com./cgi-bin/webhook/send?key=k",
    ],
)
def test_the_official_robot_hosts_are_allowed_by_default(url: str) -> None:
    assert DEFAULTS.refusal(url) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8002/v1/cases", "host 127.0.0.1 is not in"),
        ("http://localhost/", "host localhost is not in"),
        ("http://169.254.169.254/latest/meta-data/", "host 169.254.169.254 is not in"),
        ("http://10.0.0.7/", "host 10.0.0.7 is not in"),
        ("http://[::1]:8004/", "host ::1 is not in"),
        ("http://2130706433/", "host 2130706433 is not in"),
        ("https://qyapi.weixin.qq.com.evil.example/", "is not in"),
        ("https://evilqyapi.weixin.qq.com/", "is not in"),
        ("file:///etc/passwd", "only http and https"),
        ("https:///nohost", "no host"),
    ],
)
def test_other_hosts_and_internal_addresses_are_refused(url: str, reason: str) -> None:
    refusal = DEFAULTS.refusal(url)
    assert refusal is not None
    assert reason in refusal


def test_listed_addresses_networks_and_wildcards_are_allowed() -> None:
    hosts = OutboundHosts(["127.0.0.1", "10.20.0.0/16", "*.city.example", " "])
    assert hosts.refusal("http://127.0.0.1:9/x") is None
    assert hosts.refusal("http://10.20.3.4/x") is None
    assert hosts.refusal("https://robot.city.example/x") is None
    assert hosts.refusal("http://10.21.0.1/x") is not None
    assert hosts.refusal("https://city.example.evil.invalid/x") is not None


async def test_a_listed_name_that_resolves_inside_is_refused_before_connecting() -> None:
    hosts = OutboundHosts(["localhost"])  # a name on the list, but loopback behind it
    with pytest.raises(DestinationRefused, match="non-public address"):
        await hosts.check("http://localhost:9/robot")
    assert (
        await OutboundHosts(["localhost", "127.0.0.1", "::1"]).check("http://localhost:9/") is None
    )


def message(url: str) -> Message:
    return Message(idempotency_key="k1", address=url, template_id="t", params={"a": 1}, text="文本")


async def test_a_robot_url_to_an_unlisted_host_is_never_called(
    http_sink: HttpSink, clock: ManualClock
) -> None:
    channel = WeComRobotChannel(
        clock=clock, transport=GuardedTransport(OutboundHosts(["qyapi.weixin.qq.com"]))
    )
    try:
        with pytest.raises(DestinationRefused, match=r"host 127\.0\.0\.1 is not in"):
            await channel.send(message(f"{http_sink.url}/robot"))
    finally:
        await channel.close()
    assert http_sink.requests == []


async def test_a_redirect_is_not_followed_and_the_answer_is_not_quoted(
    http_sink: HttpSink, clock: ManualClock
) -> None:
    http_sink.reply_next(
        302,
        headers={"Location": "http://169.254.169.254/latest/meta-data/"},
        json={"leak": "internal-token-123"},
    )
    http_sink.reply_next(400, json={"errmsg": "db password is hunter2"})
    channel = WebhookChannel(
        secret="s", clock=clock, transport=GuardedTransport(OutboundHosts(["127.0.0.1"]))
    )
    try:
        with pytest.raises(PermanentSendError) as redirected:
            await channel.send(message(f"{http_sink.url}/hook"))
        with pytest.raises(PermanentSendError) as refused:
            await channel.send(message(f"{http_sink.url}/hook"))
    finally:
        await channel.close()

    assert [r.path for r in http_sink.requests] == ["/hook", "/hook"]
    assert str(redirected.value) == "webhook receiver refused the message: 302"
    assert str(refused.value) == "webhook receiver refused the message: 400"


async def test_a_robots_errmsg_is_not_quoted(http_sink: HttpSink, clock: ManualClock) -> None:
    http_sink.reply_next(json={"errcode": 93000, "errmsg": "invalid key, internal host 10.1.2.3"})
    channel = WeComRobotChannel(
        clock=clock, transport=GuardedTransport(OutboundHosts(["127.0.0.1"]))
    )
    try:
        with pytest.raises(PermanentSendError) as raised:
            await channel.send(message(f"{http_sink.url}/robot"))
    finally:
        await channel.close()
    assert str(raised.value) == "WeCom robot errcode 93000"


async def test_the_registry_guards_robots_and_the_callback(
    http_sink: HttpSink, clock: ManualClock
) -> None:
    settings = NotifySettings(
        env="development",
        wecom_enabled=True,
        dingtalk_enabled=True,
        hotline_callback_url="https://12345.city.example/callback",
        outbound_hosts=["qyapi.weixin.qq.com", "oapi.dingtalk.com", "12345.city.example"],
    )
    channels = build_channels(settings=settings, clock=clock)
    try:
        for name in ("wecom", "dingtalk", "webhook"):
            with pytest.raises(DestinationRefused, match=r"host 127\.0\.0\.1 is not in"):
                await channels.outbound[name].send(message(f"{http_sink.url}/{name}"))
    finally:
        for channel in channels.outbound.values():
            await channel.close()
    assert http_sink.requests == []
