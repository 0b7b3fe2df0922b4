from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base


class HouseholdVisit(Base):
    """A grid member's visit to a household (入户走访; "one household, one file")."""

    __tablename__ = "household_visits"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(100))
    grid_code: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(300))
    address_key: Mapped[str] = mapped_column(String(300), index=True, doc="normalised address")
    household: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VisitReport(Base):
    """A case raised on a household visit."""

    __tablename__ = "visit_reports"

    case_id: Mapped[UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    visit_id: Mapped[UUID] = mapped_column(ForeignKey("household_visits.id"), index=True)
