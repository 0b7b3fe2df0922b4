from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from notify.db import Base


class Delivery(Base):
    """One message to one recipient over one channel, from intent to receipt.

    Recorded (``pending``) in the same transaction that consumes the triggering event;
    claimed (``sending``, with a lease and the attempt counted) in a committed
    transaction before the provider is called; then ``delivered`` or, after the last
    attempt, ``failed``. The idempotency key is sent to the provider, so a retry after
    a crash between send and record does not reach the person twice.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index(
            "ix_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('pending', 'sending')"),
        ),
        Index("ix_deliveries_case", "case_id"),
        Index("ix_deliveries_recipient", "recipient_id", "planned_at"),
        Index("ix_deliveries_status", "status"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    trigger_event_id: Mapped[UUID]
    trigger_event_type: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[UUID | None]
    correlation_id: Mapped[str] = mapped_column(String(100))
    # W3C trace context of the handling that planned it: the send continues that trace.
    trace_context: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    channel: Mapped[str] = mapped_column(String(32))
    recipient_id: Mapped[str] = mapped_column(String(64))
    # The district (tenant) of the case the notification is about: its event's tenant.
    district_code: Mapped[str | None] = mapped_column(String(32))
    recipient_masked: Mapped[str] = mapped_column(String(64))
    template: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    planned_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), comment="by the service's clock"
    )
    digest_id: Mapped[UUID | None] = mapped_column(comment="the digest this one was folded into")
    resent_from: Mapped[UUID | None] = mapped_column(comment="the failed delivery resent")
    resent_by: Mapped[str | None] = mapped_column(String(64), comment="who resent it")
