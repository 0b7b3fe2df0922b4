from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ClockRead(BaseModel):
    kind: str
    status: str
    started_at: datetime
    due_at: datetime
    limit_minutes: int
    remaining_seconds: int
    breached: bool
