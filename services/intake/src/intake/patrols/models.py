from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, text
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


class PatrolTrackBatch(Base):
    """A batch of track points as the app sent it, once per batch id: a resent batch is
    recognised by its id (and its content's fingerprint) and adds nothing."""

    __tablename__ = "patrol_track_batches"

    session_id: Mapped[UUID] = mapped_column(ForeignKey("patrol_sessions.id"), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PatrolTrackPoint(Base):
    """One GPS fix of a patrol's track (WGS84), in the batch it came in."""

    __tablename__ = "patrol_track_points"
    __table_args__ = (Index(None, "session_id", "recorded_at"),)

    session_id: Mapped[UUID] = mapped_column(ForeignKey("patrol_sessions.id"), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float, doc="metres, as the phone said")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
