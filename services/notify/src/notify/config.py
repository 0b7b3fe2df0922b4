from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from gridcase_events.kit.settings import PlatformSettings
from notify.channels.outbound import ROBOT_HOSTS, OutboundHosts


class NotifySettings(PlatformSettings):
    """Notify's settings: the shared ones plus ``NOTIFY_*``."""

    model_config = SettingsConfigDict(
        env_prefix="NOTIFY_", extra="ignore", validate_by_name=True, validate_by_alias=True
    )

    host: str = "127.0.0.1"
    port: int = 8004
    sms_gateway_url: str | None = Field(
        None, description="HTTP SMS gateway endpoint; without it SMS deliveries wait, and fail"
    )
    sms_gateway_secret: SecretStr | None = Field(None, description="signs gateway requests")
    sms_sign_name: str = "gridcase"
    sms_timeout_seconds: float = Field(10.0, gt=0)
    max_attempts: int = Field(6, ge=1)
    backoff_initial_seconds: float = Field(2.0, gt=0)
    backoff_max_seconds: float = Field(600.0, gt=0)
    lease_seconds: float = Field(60.0, gt=0, description="a claimed delivery is retried after this")
    poll_interval_seconds: float = Field(0.5, gt=0)
    max_in_flight: int = Field(
        200, ge=1, description="deliveries claimed and not yet recorded, at most (per replica)"
    )
    send_concurrency: int = Field(
        16, ge=1, description="requests in flight to one outbound channel's provider at most"
    )
    record_linger_seconds: float = Field(
        0.05,
        ge=0,
        description="how long the first outcome waits for others to be recorded with it",
    )
    language: str = Field("zh", pattern="^(zh|en)$")
    timezone: str = Field("Asia/Shanghai", description="for times in messages and quiet hours")

    # Quiet hours: SMS that is not urgent waits for the morning.
    quiet_hours: str = Field(
        "22:00-07:00",
        pattern=r"^(([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)?$",
        description="HH:MM-HH:MM local time (NOTIFY_TIMEZONE); empty: no quiet hours",
    )
    # Bursts of SMS to one person fold into a digest.
    sms_burst_limit: int = Field(5, ge=1, description="SMS to one recipient per window")
    sms_burst_window_minutes: int = Field(10, ge=1)
    # The in-app inbox stream (Server-Sent Events).
    inbox_poll_seconds: float = Field(1.0, gt=0, description="how often the stream looks")
    inbox_heartbeat_seconds: float = Field(15.0, gt=0)
    inbox_max_streams: int = Field(
        3, ge=1, description="open inbox streams per staff member (per replica); 429 beyond"
    )

    # Settings of the channels beyond SMS and in-app (constructed in channels/registry.py).
    smtp_host: str | None = Field(None, description="SMTP server; without it no e-mail")
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_sender: str | None = None
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_use_tls: bool = False
    wecom_enabled: bool = Field(False, description="WeCom group robots (URLs per area: /v1/robots)")
    dingtalk_secrets: SecretStr | None = Field(
        None,
        description="DingTalk robots' signing secrets: key=secret pairs, comma-separated",
    )
    dingtalk_enabled: bool = False

    @property
    def dingtalk_secret_map(self) -> dict[str, str]:
        """``NOTIFY_DINGTALK_SECRETS`` as a mapping (``key=secret,key=secret``)."""
        if self.dingtalk_secrets is None:
            return {}
        pairs = (p.partition("=") for p in self.dingtalk_secrets.get_secret_value().split(","))
        return {k.strip(): v.strip() for k, _, v in pairs if k.strip() and v.strip()}

    hotline_callback_url: str | None = Field(
        None, description="the 12345 platform's status callback; signed with the hotline secret"
    )
    outbound_hosts: Annotated[list[str], NoDecode] = Field(
        list(ROBOT_HOSTS),
        description=(
            "hosts robot and webhook URLs may point at, comma-separated: names, *.suffix"
            " wildcards, IP addresses or networks (loopback and private ones only if listed)"
        ),
    )

    @field_validator("outbound_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [h.strip() for h in value.split(",") if h.strip()]
        return value

    @model_validator(mode="after")
    def _callback_allowed(self) -> Self:
        if self.hotline_callback_url:
            reason = OutboundHosts(self.outbound_hosts).refusal(self.hotline_callback_url)
            if reason is not None:
                raise ValueError(f"NOTIFY_HOTLINE_CALLBACK_URL: {reason}")
        return self

    breaker_threshold: int = Field(5, ge=1, description="failures in a row that open a breaker")
    breaker_reset_seconds: float = Field(60.0, gt=0)
