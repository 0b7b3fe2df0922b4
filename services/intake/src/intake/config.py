from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from gridcase_events.kit.settings import PlatformSettings


class Bounds(NamedTuple):
    """A WGS84 bounding box: the district's extent, for refusing far-off coordinates."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def describe(self) -> str:
        return f"lon {self.min_lon}..{self.max_lon}, lat {self.min_lat}..{self.max_lat}"


def parse_bounds(raw: str) -> Bounds:
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) != 4:
        raise ValueError("district bounds are 'min_lon,min_lat,max_lon,max_lat'")
    try:
        bounds = Bounds(*(float(p) for p in parts))
    except ValueError:
        raise ValueError("district bounds must be four numbers") from None
    if not (-180 <= bounds.min_lon < bounds.max_lon <= 180) or not (
        -90 <= bounds.min_lat < bounds.max_lat <= 90
    ):
        raise ValueError("district bounds must be an ordered WGS84 box")
    return bounds


class IntakeSettings(PlatformSettings):
    """Intake's settings: the shared ones plus ``INTAKE_*``."""

    model_config = SettingsConfigDict(
        env_prefix="INTAKE_", extra="ignore", validate_by_name=True, validate_by_alias=True
    )

    host: str = "127.0.0.1"
    port: int = 8001
    max_body_bytes: int = Field(1_048_576, ge=1024, description="larger bodies get 413")
    batch_max_body_bytes: int = Field(
        8_388_608, ge=1024, description="larger hotline batch bodies get 413"
    )
    batch_max_tickets: int = Field(500, ge=1, le=5000, description="more tickets get 422")
    signature_tolerance_seconds: int = Field(300, ge=1)
    # Admission control (issue 18): pushes past the bound get 503 + Retry-After at once.
    max_in_flight: int = Field(
        32, ge=1, le=10_000, description="hotline pushes (single or batch) handled at once"
    )
    # The database pool: the pushes in flight, and the consumers, the relay and the
    # housekeeping beside them. Past the pool SQLAlchemy opens a connection for one use
    # and closes it after (its overflow): at 150 pushes a second that churn (a backend
    # started, authenticated, its types looked up and its statements prepared anew each
    # time) took 14-17 s of the machine's 121 CPU-seconds (docs/benchmarks.md, "the
    # merge search's plan and intake's pool").
    db_pool_size: int = Field(40, validation_alias="GRIDCASE_DB_POOL_SIZE", ge=1, le=200)
    retry_after_seconds: int = Field(1, ge=1, le=3600, description="Retry-After of that 503")
    max_loop_lag_ms: int = Field(
        0,
        ge=0,
        le=60_000,
        description="pushes also get 503 while the event loop runs later than this (0: off)",
    )
    max_push_age_seconds: int = Field(
        0,
        ge=0,
        le=300,
        description="pushes also get 503 when signed longer ago than this (0: off); "
        "needs the hotline's clock within a second or two of intake's",
    )

    # Links printed on wish-wall QR codes and returned for attachments.
    public_base_url: str = Field(
        "http://127.0.0.1:8001",
        description="how residents and staff reach intake (no trailing slash)",
    )
    wall_submission_base_url: str | None = Field(
        None,
        description="the public page a wall's QR code points at, followed by /<wall_id>; "
        "defaults to <public_base_url>/walls (intake's own wish page)",
    )
    public_timezone: str = Field(
        "Asia/Shanghai", description="the time zone of the dates on the residents' pages"
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
    attachments_orphan_ttl_seconds: int = Field(
        7 * 86400,
        ge=60,
        le=366 * 86400,
        description="an upload no case references is deleted this long after it was "
        "last uploaded (by a background worker)",
    )
    attachments_purge_interval_seconds: float = Field(
        300.0, gt=0, le=86400, description="how often the worker looks for orphans"
    )
    # Byte budgets of the anonymous uploads at wish walls, per client address (across
    # every wall) and per wall, in a fixed window: beyond them 429 with Retry-After.
    public_upload_client_bytes: int = Field(50 * 1024 * 1024, ge=1024, le=2**31 - 1)
    public_upload_wall_bytes: int = Field(500 * 1024 * 1024, ge=1024, le=2**31 - 1)
    public_upload_window_seconds: int = Field(3600, ge=1, le=86400)
    attachments_s3_endpoint: str | None = None
    attachments_s3_bucket: str | None = None
    attachments_s3_region: str = "us-east-1"
    attachments_s3_access_key: SecretStr | None = None
    attachments_s3_secret_key: SecretStr | None = None

    @property
    def wall_base_url(self) -> str:
        return (self.wall_submission_base_url or f"{self.public_base_url}/walls").rstrip("/")

    # The district's boundary comes from the imported grids (intake.catalogue.boundary);
    # a box set here overrides it (intake.district).
    district_bounds: str | None = Field(
        None,
        description="min_lon,min_lat,max_lon,max_lat: when set, coordinates outside get 422 "
        "and the imported grids are not consulted (an override)",
    )
    boundary_margin_m: float = Field(
        200.0,
        ge=0,
        le=5000,
        description="how far outside every imported grid (metres) a point is still taken",
    )
    boundary_recheck_seconds: float = Field(
        1.0,
        ge=0,
        le=60,
        description="a hotline push checks its point against the grids read at most this "
        "long ago (0: read on every push); a point they refuse is checked again against "
        "the grids as stored before a 422",
    )
    merge_enabled: bool = Field(True, description="fold duplicates of open cases into them")
    merge_distance_m: float = Field(100.0, ge=0, le=10_000)
    merge_window_hours: float = Field(72.0, ge=0)

    @field_validator("district_bounds")
    @classmethod
    def _valid_bounds(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parse_bounds(value)
        return value

    @property
    def bounds(self) -> Bounds | None:
        return parse_bounds(self.district_bounds) if self.district_bounds else None

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
