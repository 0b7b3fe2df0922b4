from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
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

    # Links printed on wish-wall QR codes and returned for attachments.
    public_base_url: str = Field(
        "http://127.0.0.1:8001",
        description="how residents and staff reach intake (no trailing slash)",
    )
    wall_submission_base_url: str | None = Field(
        None,
        description="the public page a wall's QR code points at, followed by /<wall_id>; "
        "defaults to <public_base_url>/v1/public/walls",
    )
    # Idempotency-Key (POST endpoints other than the hotline push).
    idempotency_ttl_seconds: int = Field(24 * 3600, ge=60)
    # Wish-wall rate limits (counters in PostgreSQL: correct across replicas).
    wall_client_limit: int = Field(5, ge=1, description="submissions per client address")
    wall_client_window_seconds: int = Field(60, ge=1, le=86400)
    wall_limit: int = Field(60, ge=1, description="submissions per wall")
    wall_window_seconds: int = Field(3600, ge=1, le=86400)
    # Patrol practice: at least N sessions a day, each at least M minutes.
    patrol_min_sessions_per_day: int = Field(2, ge=1)
    patrol_min_session_minutes: int = Field(60, ge=1)
    patrol_timezone: str = Field("Asia/Shanghai", description="the day a session counts for")
    # Attachments.
    attachments_max_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    attachments_backend: Literal["local", "s3"] = "local"
    attachments_dir: Path = Field(
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gridcase" / "attachments"
    )
    attachments_s3_endpoint: str | None = None
    attachments_s3_bucket: str | None = None
    attachments_s3_region: str = "us-east-1"
    attachments_s3_access_key: SecretStr | None = None
    attachments_s3_secret_key: SecretStr | None = None

    @property
    def wall_base_url(self) -> str:
        return (self.wall_submission_base_url or f"{self.public_base_url}/v1/public/walls").rstrip(
            "/"
        )
