from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from gridcase_events.kit.text import StorableText


class SupervisionIn(BaseModel):
    case_id: UUID
    reason: StorableText = Field(min_length=1, max_length=1000)


class AnswerIn(BaseModel):
    text: StorableText = Field(
        min_length=1, max_length=2000, description="what the unit did or will do (回复)"
    )


class SupervisionRead(BaseModel):
    id: UUID
    case_id: UUID
    tracking_no: str
    card: Literal["yellow", "red", "none"]
    source: Literal["auto", "manual"]
    reason: str
    issued_by: str
    grid_code: str | None
    department_code: str | None
    issued_at: datetime
    answer: str | None = Field(default=None, description="the addressed unit's answer, once")
    answered_by: str | None = None
    answered_at: datetime | None = None
