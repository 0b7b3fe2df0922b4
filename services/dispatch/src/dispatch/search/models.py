"""The indexes the case search needs on the workflow's ``cases`` table (declared here so
that the metadata, and so Alembic's autogenerate, knows them)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Index, func

from dispatch.workflow.models import Case

AREA = func.coalesce(Case.grid_code, Case.community_code)
"""A case's area, as :func:`dispatch.workflow.rules.area_of` says: its grid, else its
community (a case held by the community's station)."""

DISTRICT: ColumnElement[str] = func.coalesce(func.left(AREA, 6), Case.district_code)
"""A case's district, as :func:`dispatch.workflow.rules.district_of_case` says: its
area's, else the one it fell in when it was reported."""

INDEXES = (
    Index(
        "ix_cases_area_pattern",
        AREA.label("area"),
        postgresql_ops={"area": "text_pattern_ops"},
    ),
    Index("ix_cases_reported_at_id", Case.reported_at, Case.id),
    Index("ix_cases_updated_at_id", Case.updated_at, Case.id),
    Index("ix_cases_status_reported_at", Case.status, Case.reported_at, Case.id),
    Index("ix_cases_tracking_no", Case.tracking_no),
    Index(
        "ix_cases_content_trgm",
        Case.content,
        postgresql_using="gin",
        postgresql_ops={"content": "gin_trgm_ops"},
    ),
    Index(
        "ix_cases_address_trgm",
        Case.address,
        postgresql_using="gin",
        postgresql_ops={"address": "gin_trgm_ops"},
    ),
)
