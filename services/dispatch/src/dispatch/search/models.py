"""The indexes the case search needs on the workflow's ``cases`` table (declared here so
that the metadata, and so Alembic's autogenerate, knows them)."""

from __future__ import annotations

from sqlalchemy import Index

from dispatch.workflow.models import Case

AREA = Case.area_code
"""A case's area, as :func:`dispatch.workflow.rules.area_of` says: its grid, else its
community (a case held by the community's station); a stored column, so that an index
can carry it and a count can be answered from the index alone."""

INDEXES = (
    # An area (any level: a prefix of its code) with each sort key: a station's or a
    # grid's list walks its own part of the index.
    Index(
        "ix_cases_area_reported_at",
        Case.area_code,
        Case.reported_at,
        Case.id,
        postgresql_ops={"area_code": "text_pattern_ops"},
        postgresql_include=["status", "district_code"],
    ),
    Index(
        "ix_cases_area_due_at",
        Case.area_code,
        Case.due_at,
        Case.id,
        postgresql_ops={"area_code": "text_pattern_ops"},
        postgresql_include=["status", "district_code"],
    ),
    # By due time across a district (breached, red …): what the scope (the area, else
    # the district) and the queues filter on is in the index, so a capped count never
    # visits the table.
    Index(
        "ix_cases_due_at_id",
        Case.due_at,
        Case.id,
        postgresql_include=[
            "area_code",
            "status",
            "due_breached",
            "due_warned_percent",
            "district_code",
        ],
    ),
    # Newest first across a district, with what the scope and the queues filter on: a
    # page finds its ids in the index alone, then reads only its rows.
    Index(
        "ix_cases_reported_at_id",
        Case.reported_at,
        Case.id,
        postgresql_include=["area_code", "status", "district_code"],
    ),
    Index("ix_cases_updated_at_id", Case.updated_at, Case.id),
    Index(
        "ix_cases_status_reported_at",
        Case.status,
        Case.reported_at,
        Case.id,
        postgresql_include=["area_code", "district_code"],
    ),
    # A few statuses under an area (a street's, a community's open cases): the counts
    # and the pages' ids of the area queues from the matching entries alone.
    Index(
        "ix_cases_status_area",
        Case.status,
        Case.area_code,
        postgresql_ops={"area_code": "text_pattern_ops"},
        postgresql_include=["district_code", "reported_at", "due_at", "id"],
    ),
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
