from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from gridcase_events.kit.settings import PlatformSettings


class EscalationSettings(PlatformSettings):
    """Escalation's settings: the shared ones plus ``ESCALATION_*``."""

    model_config = SettingsConfigDict(
        env_prefix="ESCALATION_", extra="ignore", validate_by_name=True, validate_by_alias=True
    )

    host: str = "127.0.0.1"
    port: int = 8003
    urgent_resolution_minutes: int = Field(120, ge=1, description="urgent: resolve within 2 hours")
    normal_resolution_minutes: int = Field(7 * 24 * 60, ge=1, description="ordinary: 7 days")
