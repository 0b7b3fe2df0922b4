from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gridcase_events.kit import text
from intake.walls.schemas import Point

GRID_CODE = r"^\d{15}$"

# The refusals of the field workers' endpoints (patrols and visits), for OpenAPI.
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "not your grid or not your session"},
    404: {"description": "no such session"},
    409: {"description": "a session is already open, or this one has ended"},
}


class PatrolStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grid_code: str | None = Field(
        default=None, pattern=GRID_CODE, description="defaults to the token's area_code"
    )


class PatrolRead(BaseModel):
    id: UUID
    staff_id: str
    grid_code: str
    started_at: datetime
    ended_at: datetime | None
    minutes: int | None = Field(description="whole minutes patrolled, once ended")
    reports: int = 0


class FieldReportIn(BaseModel):
    """A problem a grid member found on patrol or on a household visit."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    point: Point | None = Field(default=None, description="required on patrols")
    category_hint: str | None = Field(default=None, max_length=100)
    description: str = Field(min_length=1, max_length=4000)
    attachments: list[str] = Field(
        default_factory=list, max_length=20, description="URLs from POST /v1/attachments"
    )
    urgency: str = Field(default="normal", pattern=r"^(urgent|normal)$")

    @field_validator("category_hint", "description", "attachments", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        return text.storable(value)


class PracticeRead(BaseModel):
    min_sessions_per_day: int
    min_session_minutes: int


class ComplianceDay(BaseModel):
    grid_code: str
    date: date
    sessions: int = Field(description="ended sessions that started that day")
    minutes: int = Field(description="whole minutes patrolled in them")
    qualifying_sessions: int = Field(description="sessions at least min_session_minutes long")
    met: bool = Field(description="qualifying_sessions >= min_sessions_per_day")


class ComplianceRead(BaseModel):
    area_code: str | None
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    timezone: str
    practice: PracticeRead
    days: list[ComplianceDay] = Field(
        description="per grid and day with at least one ended session, by grid then date"
    )

    model_config = ConfigDict(populate_by_name=True)
