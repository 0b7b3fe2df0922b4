from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from gridcase_events.kit.settings import PlatformSettings

ASSESSMENT_COMPONENTS = (
    "on_time_sign_for",
    "on_time_resolution",
    "no_return",
    "no_reopening",
    "satisfaction",
    "patrol_compliance",
    "visits",
)
"""The assessment's components (docs/reports.md, "Assessment of grid members")."""
DEFAULT_ASSESSMENT_WEIGHTS = {
    "on_time_sign_for": 0.20,
    "on_time_resolution": 0.25,
    "no_return": 0.10,
    "no_reopening": 0.10,
    "satisfaction": 0.15,
    "patrol_compliance": 0.12,
    "visits": 0.08,
}


class EscalationSettings(PlatformSettings):
    """Escalation's settings: the shared ones plus ``ESCALATION_*``."""

    model_config = SettingsConfigDict(
        env_prefix="ESCALATION_", extra="ignore", validate_by_name=True, validate_by_alias=True
    )

    host: str = "127.0.0.1"
    port: int = 8003
    timezone: str = Field("Asia/Shanghai", description="the district's local time")
    working_hours: str | None = Field(
        "08:30-17:30",
        pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$",
        description="for clocks that count working time only; empty to disable",
    )
    warning_percents: str = Field("50,80", pattern=r"^\d{1,2}(,\d{1,2})*$")
    urge_interval_minutes: int = Field(
        240, ge=0, description="reminders (催办) to the highest rung reached; 0 turns them off"
    )
    max_handoffs: int = Field(
        2, ge=0, description="returned or transferred more often than this: buck-passing (推诿)"
    )
    red_card_working_days: int = Field(5, ge=1, description="a red card this long after a breach")
    scheduler_poll_seconds: float = Field(0.5, gt=0, le=5)
    scheduler_batch: int = Field(200, ge=1)
    report_metrics_seconds: float = Field(
        30, gt=0, le=3600, description="how often the open/overdue/escalated gauges refresh"
    )
    report_max_days: int = Field(
        400, ge=1, description="the longest period a rates report may cover"
    )

    assessment_weights: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_ASSESSMENT_WEIGHTS),
        description="JSON: a weight ≥ 0 for each assessment component, summing to 1",
    )
    assessment_min_sample: int = Field(
        5, ge=1, description="a member with fewer cases in the month gets a score but no rank"
    )
    assessment_monthly_visits: int = Field(
        30,
        ge=1,
        le=10_000,
        description="household visits a grid member is expected to make in a month (入户走访)",
    )
    assessment_review_bottom: int = Field(
        1, ge=0, description="how many of a community's last ranks are flagged for review"
    )

    @field_validator("assessment_weights")
    @classmethod
    def _weights_cover_the_components(cls, weights: dict[str, float]) -> dict[str, float]:
        if set(weights) != set(ASSESSMENT_COMPONENTS):
            raise ValueError(f"one weight for each of {', '.join(ASSESSMENT_COMPONENTS)}")
        if any(w < 0 for w in weights.values()):
            raise ValueError("weights must not be negative")
        if abs(sum(weights.values()) - 1) > 1e-9:
            raise ValueError("weights must sum to 1")
        return weights

    def warnings(self) -> list[int]:
        return sorted({int(p) for p in self.warning_percents.split(",") if 0 < int(p) < 100})
