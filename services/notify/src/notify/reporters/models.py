from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, String, Text
from sqlalchemy.dialects.postgresql import JSONB
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


class OwedNotice(Base):
    """A progress event of a case (accepted, resolved, closed), kept so that a resident
    notify learns of only later still hears of it.

    Intake's events (``case.reported``, ``case.merged``) and dispatch's come through
    different topics and consumer groups: after a lag or a catch-up the progress can be
    seen first. When the reporter then arrives, the event is planned for them alone,
    under the usual idempotency key, so nobody hears of it twice.
    """

    __tablename__ = "owed_notices"

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    event_id: Mapped[UUID] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(100))
    happened_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), comment="when the case made that progress"
    )
    envelope: Mapped[dict[str, Any]] = mapped_column(JSONB, comment="the event, to plan again")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
