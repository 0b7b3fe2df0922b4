from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from escalation.db import Base


class CaseClock(Base):
    """One clock of a case (sign-for, resolution, callback) and its deadline. A clock
    that restarts (a transfer's new sign-for, a reopened case's resolution) is a new
    generation; the old one stays, stopped, for the record."""

    __tablename__ = "clocks"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "generation"),
        Index("ix_clocks_case", "case_id"),
        Index("ix_clocks_open_due", "due_at", postgresql_where=text("status = 'running'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[UUID]
    tracking_no: Mapped[str] = mapped_column(String(32), server_default="")
    kind: Mapped[str] = mapped_column(String(16))
    generation: Mapped[int] = mapped_column(Integer, server_default="1")
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    limit_amount: Mapped[int] = mapped_column(Integer, server_default="0")
    limit_unit: Mapped[str] = mapped_column(String(16), server_default="minutes")
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_seconds: Mapped[float] = mapped_column(Float, server_default="0")
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stop_reason: Mapped[str | None] = mapped_column(String(32))
    breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped by an approved extension: warnings and the breach are armed anew.
    epoch: Mapped[int] = mapped_column(Integer, server_default="0")
    priority: Mapped[str] = mapped_column(String(10))
    category_code: Mapped[str | None] = mapped_column(String(64))
    grid_code: Mapped[str | None] = mapped_column(String(32))
    department_code: Mapped[str | None] = mapped_column(String(32))
    # The district (tenant) of the case: the area's, else the dispatch event's tenant.
    district_code: Mapped[str | None] = mapped_column(String(32))
    assignee_id: Mapped[str | None] = mapped_column(String(64))
    correlation_id: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Timer(Base):
    """A durable timer: a warning or the breach of one clock, due at a moment. The
    scheduler claims due ones with FOR UPDATE SKIP LOCKED and fires each once."""

    __tablename__ = "timers"
    __table_args__ = (
        UniqueConstraint("clock_id", "epoch", "kind", "percent", "level"),
        Index("ix_timers_pending_due", "due_at", postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("clocks.id", ondelete="CASCADE"))
    case_id: Mapped[UUID]
    # threshold: a warning (percent < 100) or the breach (100); escalation: a rung of the
    # ladder (level); urge: a repeated reminder (催办) to the highest rung reached (level).
    kind: Mapped[str] = mapped_column(String(16), server_default="threshold")
    percent: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer, server_default="0")
    epoch: Mapped[int] = mapped_column(Integer, server_default="0")  # the clock's epoch
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # pending, fired, cancelled
    fired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    late_seconds: Mapped[float | None] = mapped_column(Float)
