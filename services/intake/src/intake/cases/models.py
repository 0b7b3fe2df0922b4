from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base


class Case(Base):
    """A resident's demand as intake received it, plus the public status projection.

    Personal data is stored encrypted under GRIDCASE_PII_KEY; only the masked phone is
    kept in clear for display.
    """

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("channel", "external_ref"),
        # Looking for an open case of the same category to merge a duplicate into: by
        # place (a latitude band narrowed by longitude in the index) or by address,
        # never by reading the whole category or window (repository._OPEN_SQL;
        # migration e8e05ac4f7f9).
        Index(
            "ix_cases_merge_near",
            "lat",
            "lon",
            "category_norm",
            postgresql_where=text("duplicate_of IS NULL"),
        ),
        Index(
            "ix_cases_merge_address",
            "address_norm",
            "category_norm",
            postgresql_where=text("duplicate_of IS NULL"),
        ),
        Index("ix_cases_reported_at", "reported_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    tracking_no: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_ref: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    category_hint: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    reporter_name_enc: Mapped[str | None] = mapped_column(Text)
    reporter_phone_enc: Mapped[str | None] = mapped_column(Text)
    reporter_phone_masked: Mapped[str | None] = mapped_column(String(20))
    attachments: Mapped[list[str]] = mapped_column(JSONB, default=list)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    correlation_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The public status view, projected from dispatch's events, ordered by their
    # case_version (events from several topics may arrive in any order).
    status: Mapped[str] = mapped_column(String(20), default="reported")
    status_version: Mapped[int] = mapped_column(default=0)
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    grid_code: Mapped[str | None] = mapped_column(String(32))
    department_code: Mapped[str | None] = mapped_column(String(32))
    # The district (tenant) dispatch says the case belongs to (its events' tenant).
    district_code: Mapped[str | None] = mapped_column(String(32))
    # Duplicate merge: the normalised keys a duplicate is found by, and the open case
    # this one was folded into (whose progress its public status then shows).
    category_norm: Mapped[str | None] = mapped_column(String(100))
    address_norm: Mapped[str | None] = mapped_column(String(300))
    duplicate_of: Mapped[UUID | None] = mapped_column(ForeignKey("cases.id"))
    duplicate_of_tracking_no: Mapped[str | None] = mapped_column(String(32))
    community_code: Mapped[str | None] = mapped_column(String(32))
    category_code: Mapped[str | None] = mapped_column(String(100))
    # What the latest dispatch event said for the public (a resolution or closing note,
    # a reopening's reason); the resolution note stays for the closed case.
    status_note: Mapped[str | None] = mapped_column(Text)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    # The resolution deadline, from escalation's sla.clock_started: the highest clock
    # generation wins, then the latest change (events may arrive in any order).
    expected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expected_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    expected_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseStep(Base):
    """One step of a case's public progress (a dispatch event), for its status page:
    kept for every case version, whatever order the events arrive in."""

    __tablename__ = "case_steps"

    case_id: Mapped[UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
