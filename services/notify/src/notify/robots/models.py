from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from notify.db import Base


class Robot(Base):
    """A group robot (WeCom 企业微信 or DingTalk 钉钉) of a grid, community, street,
    district or department, addressed by its webhook URL (which carries its key)."""

    __tablename__ = "robots"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))
