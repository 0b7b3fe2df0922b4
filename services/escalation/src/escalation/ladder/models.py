from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from escalation.db import Base


class LadderLevel(Base):
    """One rung of the escalation ladder: after a clock's breach, `delay_minutes` later,
    the case is escalated to `role` over its area (grid cases) or to the district
    centre (department cases)."""

    __tablename__ = "ladder_levels"
    __table_args__ = (UniqueConstraint("unit", "level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(String(16))  # grid or department
    level: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(32))
    delay_minutes: Mapped[int] = mapped_column(Integer)
    # The version of the unit's ladder (all its rungs saved together): when, and by whom.
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=func.now()
    )
    updated_by: Mapped[str] = mapped_column(String(64), server_default="", default="")
