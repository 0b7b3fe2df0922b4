from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from escalation.db import Base


class SupervisionOrder(Base):
    """督办: recorded against the unit responsible for the case when it was issued."""

    __tablename__ = "supervision_orders"
    __table_args__ = (
        Index("ix_supervision_orders_issued_at", "issued_at"),
        Index("ix_supervision_orders_case", "case_id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    case_id: Mapped[UUID]
    tracking_no: Mapped[str] = mapped_column(String(32))
    card: Mapped[str] = mapped_column(String(8))  # yellow, red, none
    source: Mapped[str] = mapped_column(String(8))  # auto, manual
    reason: Mapped[str] = mapped_column(Text)
    issued_by: Mapped[str] = mapped_column(String(64))
    grid_code: Mapped[str | None] = mapped_column(String(32))
    department_code: Mapped[str | None] = mapped_column(String(32))
    district_code: Mapped[str | None] = mapped_column(String(32))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The addressed unit's answer (回复), once.
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
