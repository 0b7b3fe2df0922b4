"""The channel registry: the worker's one map from a delivery's channel to a sender."""

import os
from datetime import UTC, datetime

import pytest

from gridcase_events.kit.clock import ManualClock
from notify.channels.base import Channel, Message, SendResult
from notify.channels.registry import build_channels
from notify.config import NotifySettings

CLOCK = ManualClock(datetime(2026, 11, 21, tzinfo=UTC))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("GRIDCASE_", "NOTIFY_")):
            monkeypatch.delenv(name, raising=False)


class Robot:
    name = "wecom"

    async def send(self, message: Message) -> SendResult:
        return SendResult()

    async def close(self) -> None:
        return None


class Wrapped:
    def __init__(self, inner: Channel) -> None:
        self.name = inner.name
        self.inner = inner

    async def send(self, message: Message) -> SendResult:
        return await self.inner.send(message)

    async def close(self) -> None:
        await self.inner.close()


def settings(**values: object) -> NotifySettings:
    return NotifySettings(env="development", **values)  # type: ignore[arg-type]


def test_sms_needs_a_gateway_and_in_app_is_always_there() -> None:
    bare = build_channels(settings=settings(), clock=CLOCK)
    full = build_channels(
        settings=settings(sms_gateway_url="http://127.0.0.1:9/sms"),
        clock=CLOCK,
    )
    assert bare.names() == {"inapp"}
    assert full.names() == {"inapp", "sms"}


def test_extra_channels_join_and_outbound_ones_are_wrapped() -> None:
    channels = build_channels(
        settings=settings(sms_gateway_url="http://127.0.0.1:9/sms"),
        clock=CLOCK,
        extra={"wecom": Robot()},
        wrap=Wrapped,
    )
    assert {n: type(c).__name__ for n, c in {**channels.outbound, **channels.local}.items()} == {
        "sms": "Wrapped",
        "wecom": "Wrapped",
        "inapp": "InAppChannel",
    }


def test_a_channel_registered_under_another_name_is_refused() -> None:
    with pytest.raises(ValueError, match="registered as"):
        build_channels(
            settings=settings(),
            clock=CLOCK,
            extra={"dingtalk": Robot()},
        )
