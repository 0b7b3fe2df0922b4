"""The deadlines projection: escalation's clocks as dispatch needs them for its lists."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.db import Base


class SlaClock(Base):
    """One clock of a case (``sign_for``, ``resolution`` …) as escalation announced it,
    and when dispatch's own events stopped, paused or resumed it. Escalation does not
    announce stops; the case events that make it stop a clock do (see
    :mod:`dispatch.deadlines.service`). Stops and starts may arrive in either order, so
    the times decide: a clock is stopped when its stop is not older than its start."""

    __tablename__ = "sla_clocks"

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    clock: Mapped[str] = mapped_column(String(16), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    warned_percent: Mapped[int] = mapped_column(Integer, default=0)
    breached: Mapped[bool] = mapped_column(default=False)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseDeadline(Base):
    """A case's running clock with the nearest deadline: what a list row shows, sorts
    and filters by. No row: no clock is running."""

    __tablename__ = "case_deadlines"
    __table_args__ = (Index("ix_case_deadlines_due_at", "due_at", "case_id"),)

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    clock: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    warned_percent: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    breached: Mapped[bool] = mapped_column(server_default=text("false"))
