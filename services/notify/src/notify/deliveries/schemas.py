from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gridcase_events.kit.text import StorableText

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


class BulkResendRequest(BaseModel):
    """Which failed deliveries to send again: all failed ones of a channel, failed in
    ``[failed_from, failed_until)``, at most ``limit`` of them (oldest first)."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["failed"] = Field("failed", description="only failed deliveries are resent")
    channel: StorableText | None = Field(None, max_length=32, examples=["sms"])
    failed_from: AwareDatetime | None = None
    failed_until: AwareDatetime | None = None
    limit: int = Field(500, ge=1, le=5000)


class BulkResendRead(BaseModel):
    matched: int = Field(description="failed deliveries that matched the filter")
    resent: int = Field(description="deliveries sent again (one per original delivery)")
    skipped: int = Field(description="already resent, and that resend has not failed")
