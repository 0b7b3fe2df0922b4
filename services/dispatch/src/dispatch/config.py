from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from gridcase_events.kit.settings import PlatformSettings


class DispatchSettings(PlatformSettings):
    """Dispatch's settings: the shared ones plus ``DISPATCH_*``."""

    model_config = SettingsConfigDict(
        env_prefix="DISPATCH_", extra="ignore", validate_by_name=True, validate_by_alias=True
    )

    host: str = "127.0.0.1"
    port: int = 8002
    max_import_bytes: int = Field(50 * 1_048_576, ge=1024, description="largest directory file")
    idempotency_ttl_seconds: int = Field(
        24 * 3600,
        ge=60,
        description="how long a case action's Idempotency-Key is remembered (seconds)",
    )
    routing_fuzzy_threshold: float = Field(
        0.9, ge=0.5, le=1.0, description="how alike (0–1) an address must be to a gazetteer entry"
    )
