from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from escalation.db import Base


class StaffEntry(Base):
    """Escalation's projection of the directory's staff (from gridcase.directory.v1):
    who stands on each rung of the ladder. No contact data is kept here."""

    __tablename__ = "directory_staff"

    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), index=True)
    area_code: Mapped[str | None] = mapped_column(String(32), index=True)
    department_code: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AreaEntry(Base):
    """The directory's areas (district, street, community, grid) with their parents:
    the area chain of a case and the names in reports."""

    __tablename__ = "directory_areas"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DepartmentEntry(Base):
    """The directory's departments: their names in reports."""

    __tablename__ = "directory_departments"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
