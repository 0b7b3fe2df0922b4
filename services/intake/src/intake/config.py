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
