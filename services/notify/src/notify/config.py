from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from gridcase_events.kit.settings import PlatformSettings


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
    language: str = Field("zh", pattern="^(zh|en)$")
    timezone: str = Field("Asia/Shanghai", description="for times written in messages")
