from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base


class Wall(Base):
    """A wish wall (小巷心愿墙) in a community, with a QR code residents scan."""

    __tablename__ = "walls"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    community_code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(100))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), doc="the version an editor sends back (expected_updated_at)"
    )
    updated_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), doc="停用: set while the wall takes no wishes; null when open"
    )
    closed_by: Mapped[str | None] = mapped_column(String(100))


class Wish(Base):
    """A case that came from a wall: submitted by a resident or transcribed by staff."""

    __tablename__ = "wall_wishes"

    case_id: Mapped[UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    wall_id: Mapped[str] = mapped_column(ForeignKey("walls.id"), index=True)
    source: Mapped[str] = mapped_column(String(16), doc="public or transcribed")
    transcribed_by: Mapped[str | None] = mapped_column(String(100))
