from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from notify.db import Base


class Preference(Base):
    """A staff member's choices: channels turned off, e-mail address, quiet hours."""

    __tablename__ = "preferences"

    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    disabled_channels: Mapped[list[str]] = mapped_column(JSONB, default=list)
    email: Mapped[str | None] = mapped_column(String(254))
    quiet_hours: Mapped[str | None] = mapped_column(
        String(11), comment="HH:MM-HH:MM overriding NOTIFY_QUIET_HOURS; '' for none"
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))
