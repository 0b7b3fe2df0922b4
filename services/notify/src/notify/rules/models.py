from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from notify.db import Base


class Rule(Base):
    """Who hears of an event type, and how: a list of ``{selector, channels}``.

    Seeded with the defaults by the migration; admins change them with ``PUT /v1/rules``.
    """

    __tablename__ = "rules"

    event_type: Mapped[str] = mapped_column(String(100), primary_key=True)
    recipients: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))
