from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gridcase_events.kit import text
from intake.cases.schemas import CaseCreated
from intake.patrols.schemas import GRID_CODE


class VisitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    grid_code: str | None = Field(
        default=None, pattern=GRID_CODE, description="defaults to the token's area_code"
    )
    address: str = Field(min_length=1, max_length=300, description="the household's address")
    household: str | None = Field(
        default=None, max_length=100, description="which household there (e.g. its head)"
    )
    notes: str | None = Field(default=None, max_length=4000)

    @field_validator("address", "household", "notes", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        return text.storable(value)


class VisitRead(BaseModel):
    id: UUID
    staff_id: str
    grid_code: str
    address: str
    household: str | None
    notes: str | None
    visited_at: datetime
    reports: list[CaseCreated] = Field(default_factory=list)
