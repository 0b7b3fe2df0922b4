from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from escalation.policies.schemas import ClockKind

__all__ = ["ClockKind", "ClockRead", "ClockSla"]

ClockSla = Literal["green", "yellow", "red", "breached"]


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
    sla: ClockSla | None = Field(
        default=None,
        description=(
            "正常/临期/紧急/超时 as the task list says it: by the warnings fired (yellow from"
            " 50 %, red from 80 %), breached past the deadline; null for a stopped clock"
        ),
    )
    stopped_at: datetime | None
    stop_reason: str | None
    grid_code: str | None
    department_code: str | None
    assignee_id: str | None
