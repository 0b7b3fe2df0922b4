"""The one place where channels are built: the worker picks a channel by the
delivery's ``channel`` from the dictionary this returns.

SMS and in-app are built here from the settings. Other channels (WeCom and DingTalk
robots, e-mail, webhooks) are built by their modules' constructors from the
``NOTIFY_*`` settings in :mod:`notify.config` and passed as ``extra``; a channel named
in a rule but missing here leaves its deliveries retrying, then failed and visible to
ops (``GET /v1/deliveries?status=failed``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gridcase_events.kit.clock import Clock
from notify.channels.base import Channel
from notify.channels.inapp import InAppChannel
from notify.channels.sms import HttpSmsChannel
from notify.config import NotifySettings


def build_channels(
    *,
    settings: NotifySettings,
    clock: Clock,
    sessionmaker: async_sessionmaker[AsyncSession],
    extra: Mapping[str, Channel] | None = None,
    wrap: Callable[[Channel], Channel] | None = None,
) -> dict[str, Channel]:
    """`wrap` decorates every outbound channel (not in-app), e.g. with a circuit breaker."""
    channels: dict[str, Channel] = {}
    if settings.sms_gateway_url:
        channels["sms"] = HttpSmsChannel(
            url=settings.sms_gateway_url,
            secret=(
                settings.sms_gateway_secret.get_secret_value()
                if settings.sms_gateway_secret
                else None
            ),
            sign_name=settings.sms_sign_name,
            clock=clock,
            timeout=settings.sms_timeout_seconds,
        )
    for name, channel in (extra or {}).items():
        if channel.name != name:
            raise ValueError(f"channel {channel.name!r} registered as {name!r}")
        channels[name] = channel
    if wrap is not None:
        channels = {name: wrap(channel) for name, channel in channels.items()}
    channels["inapp"] = InAppChannel(sessionmaker=sessionmaker, clock=clock)
    return channels
