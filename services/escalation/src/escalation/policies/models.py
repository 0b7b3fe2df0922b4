from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from escalation.db import Base

ANY = "*"


class Policy(Base):
    """The limit of one clock for a category and priority ("*" matches any)."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("category_code", "priority", "clock"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    category_code: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(10))
    clock: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16))
    working_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    end_of_day: Mapped[bool] = mapped_column(Boolean, default=False)
