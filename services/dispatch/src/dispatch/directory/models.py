from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.db import Base


class Area(Base):
    """District → street → community → grid; codes chain their parents' codes."""

    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(32), index=True)
    kind: Mapped[str | None] = mapped_column(String(16))
    households: Mapped[int | None] = mapped_column(Integer)
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Department(Base):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Category(Base):
    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    handler: Mapped[str] = mapped_column(String(16))
    department_code: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(10))


class Staff(Base):
    """A person and their post. The phone is stored encrypted (GRIDCASE_PII_KEY)."""

    __tablename__ = "staff"

    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    phone_enc: Mapped[str] = mapped_column(Text)
    phone_masked: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(32))
    area_code: Mapped[str | None] = mapped_column(String(32), index=True)
    department_code: Mapped[str | None] = mapped_column(String(32), index=True)
    post: Mapped[str | None] = mapped_column(String(1))


class GazetteerEntry(Base):
    """One building or doorplate and its grid ("every building marked")."""

    __tablename__ = "gazetteer"

    normalized: Mapped[str] = mapped_column(String(300), primary_key=True)
    address: Mapped[str] = mapped_column(String(300))
    grid_code: Mapped[str] = mapped_column(String(32), index=True)


class Absence(Base):
    """Leave or off duty: assignment skips the person while it covers now."""

    __tablename__ = "absences"
    __table_args__ = (
        UniqueConstraint("staff_id", "starts_at", "ends_at"),
        Index("ix_absences_staff_window", "staff_id", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DirectoryState(Base):
    """One row: a version bumped by every import, so replicas know to reload indexes."""

    __tablename__ = "directory_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
