"""The one place where channels are built: the worker picks a channel by the
delivery's ``channel`` from the dictionary this returns.

Every channel is built here from the ``NOTIFY_*`` settings in :mod:`notify.config`:
SMS when a gateway is set, e-mail when an SMTP server and sender are set, WeCom and
DingTalk robots when enabled, the signed webhook (the 12345 callback) when a callback
URL and a hotline secret are set, and in-app always. Each outbound channel sits behind
a circuit breaker per endpoint (the gateway's, SMTP server's or robot's host). A
channel named in a rule but missing here leaves its deliveries retrying, then failed
and visible to ops (``GET /v1/deliveries?status=failed``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from gridcase_events.kit.clock import Clock
from notify.channels.base import Channel, Message, TransactionalChannel
from notify.channels.breaker import BreakerChannel, CircuitBreakerRegistry, url_host
from notify.channels.dingtalk import DingTalkRobotChannel
from notify.channels.email import EmailChannel
from notify.channels.inapp import InAppChannel
from notify.channels.outbound import GuardedTransport, OutboundHosts
from notify.channels.sms import HttpSmsChannel
from notify.channels.webhook import WebhookChannel
from notify.channels.wecom import WeComRobotChannel
from notify.config import NotifySettings


@dataclass(frozen=True)
class Channels:
    """The channels by name: `outbound` ones call a provider; `local` ones deliver by
    writing to notify's own database, in the transaction that records the delivery."""

    outbound: Mapping[str, Channel]
    local: Mapping[str, TransactionalChannel]

    def names(self) -> set[str]:
        return set(self.outbound) | set(self.local)


def build_channels(
    *,
    settings: NotifySettings,
    clock: Clock,
    extra: Mapping[str, Channel] | None = None,
    wrap: Callable[[Channel], Channel] | None = None,
) -> Channels:
    """`extra` adds channels built elsewhere (tests); `wrap` replaces the default circuit
    breakers around the outbound channels (never in-app)."""
    channels = _outbound(settings, clock)
    if wrap is None:
        breakers = CircuitBreakerRegistry(
            clock=clock,
            failure_threshold=settings.breaker_threshold,
            reset_timeout=settings.breaker_reset_seconds,
        )
        channels = {
            name: BreakerChannel(
                channel, breakers=breakers, endpoint_of=_endpoint_of(name, settings)
            )
            for name, channel in channels.items()
        }
    for name, channel in (extra or {}).items():
        if channel.name != name:
            raise ValueError(f"channel {channel.name!r} registered as {name!r}")
        channels[name] = channel
    if wrap is not None:
        channels = {name: wrap(channel) for name, channel in channels.items()}
    return Channels(outbound=channels, local={"inapp": InAppChannel(clock=clock)})


def _outbound(settings: NotifySettings, clock: Clock) -> dict[str, Channel]:
    """The outbound channels the settings configure, unwrapped."""
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
            connections=settings.send_concurrency,
        )
    if settings.smtp_host and settings.smtp_sender:
        channels["email"] = EmailChannel(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_sender,
            username=settings.smtp_username,
            password=(
                settings.smtp_password.get_secret_value() if settings.smtp_password else None
            ),
            starttls=settings.smtp_starttls,
            use_tls=settings.smtp_use_tls,
            clock=clock,
        )
    # URLs an administrator sets (robots, the 12345 callback) reach allowed hosts only
    hosts = OutboundHosts(settings.outbound_hosts)
    if settings.wecom_enabled:
        channels["wecom"] = WeComRobotChannel(clock=clock, transport=GuardedTransport(hosts))
    if settings.dingtalk_enabled:
        channels["dingtalk"] = DingTalkRobotChannel(
            secrets=settings.dingtalk_secret_map or None,
            clock=clock,
            transport=GuardedTransport(hosts),
        )
    if settings.hotline_callback_url and settings.hotline_secrets:
        # The first hotline secret signs outgoing callbacks (README, Notifications).
        channels["webhook"] = WebhookChannel(
            secret=settings.hotline_secrets[0], clock=clock, transport=GuardedTransport(hosts)
        )
    return channels


def _endpoint_of(name: str, settings: NotifySettings) -> Callable[[Message], str]:
    """The endpoint a breaker guards: an SMS address is a phone and an e-mail address a
    person, so those channels' endpoint is their gateway or SMTP server; robots and
    webhooks are keyed by their URL's host."""
    if name == "sms":
        host = urlsplit(settings.sms_gateway_url or "").hostname or "sms"
        return lambda _message: host
    if name == "email":
        smtp = settings.smtp_host or "smtp"
        return lambda _message: smtp
    return url_host
