from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from escalation.db import Base


class CalendarDay(Base):
    """A local holiday (working = false) or make-up working day (true) that overrides
    the official calendar."""

    __tablename__ = "calendar_days"

    # "" for the city's days; a district's own days override them.
    district_code: Mapped[str] = mapped_column(
        String(6), primary_key=True, server_default="", default=""
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(100))
    # The version an editor saves against (kit.versions): when, and by whom.
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=func.now()
    )
    updated_by: Mapped[str] = mapped_column(String(64), server_default="", default="")
