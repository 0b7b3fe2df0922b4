from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base


class RateCounter(Base):
    """Requests counted in one fixed window for one key (e.g. a wall, a client address).

    Kept in PostgreSQL so that every replica of intake counts against the same limit.
    """

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
