from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
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
