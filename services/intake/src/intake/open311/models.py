from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base


class Open311Request(Base):
    """What an Open311 client sent beyond the case itself. The submitter's e-mail and
    device id are personal data: stored encrypted under GRIDCASE_PII_KEY (the e-mail
    also masked, for display); the API key only as a fingerprint."""

    __tablename__ = "open311_requests"

    case_id: Mapped[UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    service_code: Mapped[str] = mapped_column(String(100))
    address_id: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(100))
    email_enc: Mapped[str | None] = mapped_column(Text)
    email_masked: Mapped[str | None] = mapped_column(String(260))
    device_id_enc: Mapped[str | None] = mapped_column(Text)
    api_key_fingerprint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
