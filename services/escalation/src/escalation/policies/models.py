from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from escalation.db import Base

ANY = "*"
CITY = ""
"""The district code of the city's default rows (policies, calendar days): a district's
own rows override them (docs/adr/0005-districts-side-by-side.md)."""


class Policy(Base):
    """The limit of one clock for a category and priority ("*" matches any)."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("district_code", "category_code", "priority", "clock"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    district_code: Mapped[str] = mapped_column(String(6), server_default=CITY, default=CITY)
    category_code: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(10))
    clock: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16))
    working_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    end_of_day: Mapped[bool] = mapped_column(Boolean, default=False)
    # The version an editor saves against (kit.versions): when, and by whom.
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=func.now()
    )
    updated_by: Mapped[str] = mapped_column(String(64), server_default="", default="")
