from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from notify.db import Base


class Reporter(Base):
    """A resident to tell of a case's progress: the case's own reporter, and the
    reporters of duplicates merged into it. The phone stays encrypted until sending.

    ``report_id`` is the case the resident reported (the duplicate, for a merged one):
    the recipient is ``resident:<report_id>``.
    """

    __tablename__ = "reporters"

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    report_id: Mapped[UUID] = mapped_column(primary_key=True, index=True)
    tracking_no: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))
    external_ref: Mapped[str | None] = mapped_column(String(100))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
