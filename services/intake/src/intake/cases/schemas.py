from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class CaseCreated(BaseModel):
    """What a channel gets back for an accepted report."""

    case_id: UUID
    tracking_no: str = Field(description="for the resident: the public status page key")
    merged_into: str | None = Field(
        default=None,
        description="the tracking number of the open case this report duplicates; "
        "its public status follows that case",
    )


class StepRead(BaseModel):
    """A step of a case's progress: the status it reached, when, and what was said for
    the public (a resolution or closing note, a reopening's reason; only on a request
    sent through Open311 and not merged, as the staff's words may name residents)."""

    status: str
    at: datetime
    note: str | None = None


class CaseStatusRead(BaseModel):
    """The public status of a case: no personal data."""

    model_config = ConfigDict(from_attributes=True)

    tracking_no: str
    status: str
    channel: Literal["hotline", "wish_wall", "patrol", "visit", "open311"]
    reported_at: datetime
    status_changed_at: datetime
    merged_into: str | None = Field(
        default=None, description="a duplicate shows the progress of the case it joined"
    )
    status_note: str | None = Field(
        default=None,
        description="what the latest step said for the public (e.g. resolution): only on "
        "a request sent through Open311 and not merged; otherwise the status says it",
    )
    expected_at: datetime | None = Field(
        default=None, description="when the case is expected to be resolved (its deadline)"
    )
    steps: list[StepRead] = Field(
        default_factory=list,
        description="the progress after receipt, oldest first (of the case it joined, for "
        "a duplicate)",
    )
