from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class CaseCreated(BaseModel):
    """What a channel gets back for an accepted report."""

    case_id: UUID
    tracking_no: str = Field(description="for the resident: the public status page key")


class CaseStatusRead(BaseModel):
    """The public status of a case: no personal data."""

    model_config = ConfigDict(from_attributes=True)

    tracking_no: str
    status: str
    channel: Literal["hotline", "wish_wall", "patrol", "visit", "open311"]
    reported_at: datetime
    status_changed_at: datetime
