from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base


class PatrolSession(Base):
    """A grid member's patrol of their grid (巡查), from start to end."""

    __tablename__ = "patrol_sessions"
    __table_args__ = (
        # One open session per person at a time.
        Index(
            "uq_patrol_sessions_open_staff_id",
            "staff_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index(None, "grid_code", "started_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(100))
    grid_code: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PatrolReport(Base):
    """A case reported during a patrol session."""

    __tablename__ = "patrol_reports"

    case_id: Mapped[UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    session_id: Mapped[UUID] = mapped_column(ForeignKey("patrol_sessions.id"), index=True)
