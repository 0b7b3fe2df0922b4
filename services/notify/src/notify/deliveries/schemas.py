from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

DeliveryStatus = Literal["pending", "sending", "delivered", "failed", "skipped", "digested"]


class DeliveryRead(BaseModel):
    """A delivery record: recipients appear only masked."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    case_id: UUID | None
    channel: str
    recipient_id: str
    recipient_masked: str
    trigger_event_type: str
    template: str
    params: dict[str, Any]
    status: str
    attempts: int
    planned_at: datetime
    next_attempt_at: datetime
    last_error: str | None
    provider_ref: str | None
    created_at: datetime
    delivered_at: datetime | None
    digest_id: UUID | None
    resent_from: UUID | None
    resent_by: str | None
