from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from escalation.policies.schemas import ClockKind

__all__ = ["ClockKind", "ClockRead"]


class ClockRead(BaseModel):
    case_id: UUID
    tracking_no: str
    kind: ClockKind
    generation: int
    status: Literal["running", "paused", "stopped"]
    started_at: datetime
    due_at: datetime
    limit: str = Field(description='e.g. "7 days", "2 working_days"')
    remaining_seconds: int
    paused: bool
    breached: bool
    stopped_at: datetime | None
    stop_reason: str | None
    grid_code: str | None
    department_code: str | None
    assignee_id: str | None
