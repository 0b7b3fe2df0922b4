from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from escalation.db import Base


class CaseFact(Base):
    """One row per case: what the reports need, projected from the case's events.

    Fed by intake's, dispatch's and escalation's own events; each event is applied once
    (the consumer's inbox), and where events of different topics may arrive out of
    order, the case's version (dispatch's ``case_version``) decides what is newer."""

    __tablename__ = "case_facts"
    __table_args__ = (
        Index("ix_case_facts_received_at", "received_at"),
        Index("ix_case_facts_grid", "grid_code"),
        Index("ix_case_facts_community", "community_code"),
        Index("ix_case_facts_department", "department_code"),
        Index("ix_case_facts_assignee", "assignee_id"),
    )

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    tracking_no: Mapped[str] = mapped_column(String(32), server_default="")
    channel: Mapped[str | None] = mapped_column(String(16))
    category_code: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[str | None] = mapped_column(String(10))
    # Received: intake's reported_at; until case.reported arrives, the earliest time seen.
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reported: Mapped[bool] = mapped_column(Boolean, server_default="false")
    # The responsible units (the latest by case version), the area chain resolved.
    grid_code: Mapped[str | None] = mapped_column(String(32))
    community_code: Mapped[str | None] = mapped_column(String(32))
    street_code: Mapped[str | None] = mapped_column(String(32))
    district_code: Mapped[str | None] = mapped_column(String(32))
    department_code: Mapped[str | None] = mapped_column(String(32))
    location_version: Mapped[int] = mapped_column(Integer, server_default="0")
    state_version: Mapped[int] = mapped_column(Integer, server_default="0")
    # The member the case stands assigned to (the latest case.assigned / case.accepted by
    # case version): whom the assessment (考核) counts it for.
    assignee_id: Mapped[str | None] = mapped_column(String(64))
    assignee_role: Mapped[str | None] = mapped_column(String(32))
    assignee_version: Mapped[int] = mapped_column(Integer, server_default="0")
    # 签收: whether a sign-for clock ever ran, and the first acceptance against it.
    sign_for_clocked: Mapped[bool] = mapped_column(Boolean, server_default="false")
    first_assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sign_for_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_in_time: Mapped[bool | None] = mapped_column(Boolean)
    # 办结 and 结案: the current ones (a reopening clears them), and the first resolution.
    first_resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_on_time: Mapped[bool | None] = mapped_column(Boolean)
    # 回访: the latest evaluation.
    satisfaction: Mapped[str | None] = mapped_column(String(24))
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    evaluation_version: Mapped[int] = mapped_column(Integer, server_default="0")
    returns: Mapped[int] = mapped_column(Integer, server_default="0")
    transfers: Mapped[int] = mapped_column(Integer, server_default="0")
    reopenings: Mapped[int] = mapped_column(Integer, server_default="0")
    escalations: Mapped[int] = mapped_column(Integer, server_default="0")
    buck_passing_flags: Mapped[int] = mapped_column(Integer, server_default="0")
    supervision_yellow: Mapped[int] = mapped_column(Integer, server_default="0")
    supervision_red: Mapped[int] = mapped_column(Integer, server_default="0")
    supervision_manual: Mapped[int] = mapped_column(Integer, server_default="0")
    # Withdrawn by the reporter or merged into another case: left out of the figures.
    ended: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EscalationRecord(Base):
    """One escalation (a rung reached, not a reminder) as announced by case.escalated:
    for the daily summary."""

    __tablename__ = "report_escalations"
    __table_args__ = (Index("ix_report_escalations_at", "escalated_at"),)

    event_id: Mapped[UUID] = mapped_column(primary_key=True)
    case_id: Mapped[UUID]
    tracking_no: Mapped[str] = mapped_column(String(32))
    clock: Mapped[str] = mapped_column(String(16))
    level: Mapped[int] = mapped_column(Integer)
    target_role: Mapped[str] = mapped_column(String(32))
    buck_passing: Mapped[bool] = mapped_column(Boolean)
    grid_code: Mapped[str | None] = mapped_column(String(32))
    department_code: Mapped[str | None] = mapped_column(String(32))
    escalated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PatrolRecord(Base):
    """One ended patrol session (巡查) of a field worker, from intake's ``patrol.ended``:
    for the assessment's patrol compliance. Keyed by the session, so a redelivered
    event cannot count twice."""

    __tablename__ = "report_patrols"
    __table_args__ = (
        Index("ix_report_patrols_day", "day"),
        Index("ix_report_patrols_community", "community_code"),
    )

    session_id: Mapped[UUID] = mapped_column(primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(64))
    staff_role: Mapped[str] = mapped_column(String(32))
    grid_code: Mapped[str] = mapped_column(String(32))
    community_code: Mapped[str | None] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date, doc="the local day of its start (intake's practice)")
    minutes: Mapped[int] = mapped_column(Integer)
    qualifying: Mapped[bool] = mapped_column(Boolean)
    min_sessions_per_day: Mapped[int] = mapped_column(Integer)
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VisitRecord(Base):
    """One household visit (入户走访) of a field worker, from intake's ``visit.recorded``:
    for the assessment's visits. Keyed by the visit."""

    __tablename__ = "report_visits"
    __table_args__ = (
        Index("ix_report_visits_at", "visited_at"),
        Index("ix_report_visits_community", "community_code"),
    )

    visit_id: Mapped[UUID] = mapped_column(primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(64))
    staff_role: Mapped[str] = mapped_column(String(32))
    grid_code: Mapped[str] = mapped_column(String(32))
    community_code: Mapped[str | None] = mapped_column(String(32))
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReturnRecord(Base):
    """One return (退单) as dispatch's ``case.returned`` announced it, with the person
    who returned the case (the actor): the assessment counts a return against them, not
    against whoever holds the case later. Keyed by the case and the return's ordinal, so
    a redelivery cannot count twice."""

    __tablename__ = "report_returns"
    __table_args__ = (Index("ix_report_returns_staff", "staff_id"),)

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True, doc="the case's n-th return")
    staff_id: Mapped[str] = mapped_column(String(64))
    staff_role: Mapped[str] = mapped_column(String(32))
    grid_code: Mapped[str | None] = mapped_column(String(32), doc="the grid it was returned from")
    community_code: Mapped[str | None] = mapped_column(String(32))
    returned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
