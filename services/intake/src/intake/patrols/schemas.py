from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

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


MAX_TRACK_BATCH = 500  # points in one batch: about four hours at one point per 30 s


class TrackPointIn(BaseModel):
    """One GPS fix: where and when (the phone's clock, with its offset)."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    at: AwareDatetime = Field(description="when the fix was taken, within the patrol")
    accuracy: float | None = Field(
        default=None, ge=0, le=100_000, allow_inf_nan=False, description="metres"
    )


class TrackBatchIn(BaseModel):
    """Points sampled on the phone, sent together. The batch id makes a resend harmless:
    the same id with the same points adds nothing; with other points it is refused."""

    model_config = ConfigDict(extra="forbid")

    batch_id: str = Field(
        min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", examples=["web-3f9a0c1d2e"]
    )
    points: list[TrackPointIn] = Field(min_length=1, max_length=MAX_TRACK_BATCH)


class TrackBatchRead(BaseModel):
    batch_id: str
    accepted: int = Field(description="points added by this request (0 on a resend)")
    duplicate: bool = Field(description="this batch id was already stored")
    points: int = Field(description="points in the track now")


class LineString(BaseModel):
    type: Literal["LineString"] = "LineString"
    coordinates: list[tuple[float, float]] = Field(description="[lon, lat] pairs (RFC 7946)")


class TrackProperties(BaseModel):
    patrol_id: UUID
    staff_id: str
    grid_code: str
    started_at: datetime
    ended_at: datetime | None
    points: int
    times: list[datetime] = Field(description="when each point was taken, as coordinates")


class TrackFeature(BaseModel):
    """The track as a GeoJSON Feature; its geometry is null below two points."""

    type: Literal["Feature"] = "Feature"
    geometry: LineString | None
    properties: TrackProperties


class TodayRead(BaseModel):
    """My patrols of the local day (and an open one), against the practice."""

    date: date
    timezone: str
    practice: PracticeRead
    sessions: list[PatrolRead]
    qualifying_sessions: int
    met: bool
