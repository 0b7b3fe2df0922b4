from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, String
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
