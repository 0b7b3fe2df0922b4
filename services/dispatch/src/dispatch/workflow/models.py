from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Computed,
    DateTime,
    FetchedValue,
    Float,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    func,
)
from sqlalchemy import event as orm_event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.db import Base
from gridcase_events.areas import district_of


class Case(Base):
    """A case in dispatch's hands: where it was routed, who has it, in what state."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_assignee_status", "assignee_id", "status"),
        Index("ix_cases_grid_status", "grid_code", "status"),
        Index("ix_cases_department_status", "department_code", "status"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    tracking_no: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    external_ref: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    category_code: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    target: Mapped[str] = mapped_column(String(16))
    grid_code: Mapped[str | None] = mapped_column(String(32))
    community_code: Mapped[str | None] = mapped_column(String(32))
    department_code: Mapped[str | None] = mapped_column(String(32))
    # The district (tenant) the case fell in when it was reported: where its point or
    # address lies, else the reporting service's tenant. Once the case sits in an area,
    # the area's district is the case's (rules.district_of_case).
    district_code: Mapped[str | None] = mapped_column(String(32))
    route_method: Mapped[str] = mapped_column(String(32))
    route_reason: Mapped[str] = mapped_column(Text)
    assignee_id: Mapped[str | None] = mapped_column(String(64))
    assignee_post: Mapped[str | None] = mapped_column(String(8))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The resident's phone from case.reported: shown masked; the ciphertext (GRIDCASE_PII_KEY)
    # is decrypted only for the case's assignee to call (首次联系), and that is audited.
    reporter_phone_masked: Mapped[str | None] = mapped_column(String(20))
    reporter_phone_enc: Mapped[str | None] = mapped_column(Text)
    correlation_id: Mapped[str] = mapped_column(String(100))
    # 首问负责制: the first unit (and person) to accept stays accountable.
    first_owner_unit: Mapped[str | None] = mapped_column(String(16))
    first_owner_code: Mapped[str | None] = mapped_column(String(32))
    first_owner_staff: Mapped[str | None] = mapped_column(String(64))
    returns: Mapped[int] = mapped_column(default=0, server_default="0")
    transfers: Mapped[int] = mapped_column(default=0, server_default="0")
    reopenings: Mapped[int] = mapped_column(default=0, server_default="0")
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    contacted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")
    # What each evidence photo shows, by its URL: "before" (as found) or "after" (as left).
    evidence_kinds: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict, server_default="{}")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    extension_status: Mapped[str | None] = mapped_column(String(16))
    extension_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    extension_requested_by: Mapped[str | None] = mapped_column(String(64))
    satisfaction: Mapped[str | None] = mapped_column(String(24))
    resident_says_resolved: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=1)
    # Written by the database, never by this code; read by the case search, which filters
    # and sorts on them without a join. The area: the grid, else the community (as
    # rules.area_of says). The running deadline: a copy of the deadlines projection's
    # row, kept by a trigger on dispatch.case_deadlines in the same transaction as the
    # projection's change (migration 9d4e2f7a1c3b).
    area_code: Mapped[str | None] = mapped_column(
        String(32), Computed("coalesce(grid_code, community_code)", persisted=True)
    )
    due_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=FetchedValue()
    )
    due_clock: Mapped[str | None] = mapped_column(String(16), server_default=FetchedValue())
    due_warned_percent: Mapped[int | None] = mapped_column(server_default=FetchedValue())
    due_breached: Mapped[bool | None] = mapped_column(server_default=FetchedValue())

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's API


@orm_event.listens_for(Case, "before_insert")
@orm_event.listens_for(Case, "before_update")
def _keep_district(_mapper: Any, _connection: Any, case: Case) -> None:
    keep_district(case)


def keep_district(case: Case) -> None:
    """A case placed in an area belongs to that area's district, and keeps it when it
    later leaves the area (to a department, say). Called by the ORM before every insert
    and update, and by an insert that bypasses it (``repository.take_in_at_commit``)."""
    placed = district_of(case.grid_code or case.community_code)
    if placed is not None:
        case.district_code = placed


class TimelineEntry(Base):
    """Every action on a case: who, when, what, why."""

    __tablename__ = "case_timeline"
    # The per-person audit: one person's entries, newest first.
    __table_args__ = (Index("ix_case_timeline_actor_id", "actor", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
