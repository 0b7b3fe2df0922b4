"""The answers of the per-person audit (谁做了什么)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class ActionRead(BaseModel):
    """One thing a person did on a case, as the case's timeline holds it."""

    id: int = Field(description="the timeline entry's number (newest first)")
    at: datetime
    action: str = Field(description="the timeline's action: dispatched, accept, resolve …")
    case_id: UUID
    tracking_no: str
    case_status: str = Field(description="the case's status now")
    reason: str | None = Field(description="the reason or note the person gave, if any")
    detail: dict[str, Any]


class ActionPage(BaseModel):
    staff_id: str
    items: list[ActionRead]
    next_cursor: int | None = Field(
        description="pass as `cursor` for the next (older) page; null at the end"
    )
