from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, model_validator

from gridcase_events.payloads import Satisfaction

TaskStatus = Literal["assigned", "accepted", "suspended"]


class TimelineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    actor: str
    detail: dict[str, Any]


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    tracking_no: str
    channel: str
    status: str
    category_code: str | None
    priority: str
    content: str
    address: str | None
    lat: float | None
    lon: float | None
    target: str
    grid_code: str | None
    community_code: str | None
    department_code: str | None
    district_code: str | None = Field(
        default=None, description="the district (tenant) the case belongs to"
    )
    route_method: str
    route_reason: str
    assignee_id: str | None
    assignee_post: str | None
    first_owner_unit: str | None
    first_owner_code: str | None
    first_owner_staff: str | None
    returns: int
    transfers: int
    reopenings: int
    resolved_by: str | None
    resolution_note: str | None
    evidence: list[str]
    extension_status: str | None
    extension_until: datetime | None
    satisfaction: str | None
    reported_at: datetime
    accepted_at: datetime | None
    contacted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    version: int


class CaseDetail(CaseRead):
    timeline: list[TimelineRead]


# ------------------------------------------------------------------ action requests


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class OptionalReasonIn(BaseModel):
    reason: str | None = Field(default=None, max_length=1000)


class TransferIn(BaseModel):
    """转派: to another grid or department (the receiver must accept it)."""

    target: Literal["grid", "department"]
    grid_code: str | None = Field(default=None, pattern=r"^\d{15}$")
    department_code: str | None = Field(default=None, max_length=32)
    reason: str = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _target(self) -> Self:
        if self.target == "grid" and (self.grid_code is None or self.department_code is not None):
            raise ValueError("a transfer to a grid names grid_code (and no department_code)")
        if self.target == "department" and (
            self.department_code is None or self.grid_code is not None
        ):
            raise ValueError("a transfer to a department names department_code (and no grid_code)")
        return self


class ResolveIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)
    evidence: list[HttpUrl] = Field(default_factory=list, max_length=20)


class ContactIn(BaseModel):
    note: str | None = Field(default=None, max_length=1000)


class CloseIn(BaseModel):
    note: str | None = Field(default=None, max_length=1000)


class EvaluateIn(BaseModel):
    """回访: the resident's verdict, recorded by a dispatcher."""

    satisfaction: Satisfaction
    resolved: bool
    comment: str | None = Field(default=None, max_length=1000)


class ExtensionIn(BaseModel):
    until: AwareDatetime
    reason: str = Field(min_length=1, max_length=1000)
