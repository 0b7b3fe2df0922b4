from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class InboxItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: UUID | None
    event_type: str
    title: str
    text: str
    created_at: datetime
