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

    def warnings(self) -> list[int]:
        return sorted({int(p) for p in self.warning_percents.split(",") if 0 < int(p) < 100})
