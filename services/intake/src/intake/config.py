from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from gridcase_events.kit.settings import PlatformSettings


class IntakeSettings(PlatformSettings):
    """Intake's settings: the shared ones plus ``INTAKE_*``."""

    model_config = SettingsConfigDict(
        env_prefix="INTAKE_", extra="ignore", validate_by_name=True, validate_by_alias=True
    )

    host: str = "127.0.0.1"
    port: int = 8001
    max_body_bytes: int = Field(1_048_576, ge=1024, description="larger bodies get 413")
    signature_tolerance_seconds: int = Field(300, ge=1)
    open311_public_url: str | None = Field(
        None, description="the Open311 base URL clients use (default: this request's /open311/v2)"
    )
    open311_contact: str = Field(
        "Ask the district's command centre (区指挥中心) for assistance.",
        description="service discovery: how to reach the Open311 endpoint's operators",
    )
    open311_key_service: str = Field(
        "API keys are issued by the district's command centre.",
        description="service discovery: how to get an Open311 API key",
    )
