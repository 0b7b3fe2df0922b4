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
    evidence_kinds: dict[str, Literal["before", "after"]] = Field(
        default_factory=dict, description="what an evidence photo shows, by its URL"
    )
    extension_status: str | None
    extension_until: datetime | None
    satisfaction: str | None
    reported_at: datetime
    reporter_phone_masked: str | None = Field(
        default=None, description="the resident's phone, masked (the assignee may reveal it)"
    )
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


class EvidencePhotoIn(BaseModel):
    """A photo of the site: before the work (as found) or after it (as left)."""

    url: HttpUrl
    kind: Literal["before", "after"]


class ResolveIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)
    evidence: list[HttpUrl] = Field(default_factory=list, max_length=20)
    photos: list[EvidencePhotoIn] = Field(
        default_factory=list,
        max_length=2,
        description="the before and after photos (at most one of each); also evidence",
    )

    @model_validator(mode="after")
    def _one_photo_of_each_kind(self) -> Self:
        kinds = [photo.kind for photo in self.photos]
        if len(kinds) != len(set(kinds)):
            raise ValueError("at most one before and one after photo")
        if len({str(p.url) for p in self.photos}) != len(self.photos):
            raise ValueError("the before and after photos must differ")
        if len(self.evidence) + len(self.photos) > 20:
            raise ValueError("at most 20 pieces of evidence")
        return self


class ReporterPhoneRead(BaseModel):
    """The resident's phone number, for the assignee to call."""

    phone: str


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
