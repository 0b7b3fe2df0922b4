from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.db import Base


class PhraseList(Base):
    """常用语: a unit's canned phrases for one action (return reasons, resolution notes …).
    ``unit``: ``area:<code>`` (a grid, community, street or district) or
    ``department:<code>``."""

    __tablename__ = "phrases"

    unit: Mapped[str] = mapped_column(String(80), primary_key=True)
    action: Mapped[str] = mapped_column(String(16), primary_key=True)
    phrases: Mapped[list[str]] = mapped_column(JSONB)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
