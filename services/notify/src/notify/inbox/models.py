from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from notify.db import Base


class InboxItem(Base):
    """An in-app notification: a line in a staff member's live task inbox. Its id
    orders the stream (the SSE ``id:``); the delivery's idempotency key keeps it single."""

    __tablename__ = "inbox_items"
    __table_args__ = (Index("ix_inbox_items_staff", "staff_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    staff_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[UUID | None]
    event_type: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
