"""search: the district in the search's covering indexes

Since districts sit side by side, every scoped search walls by district: a case with an
area is in the district its area code starts with, one without an area (triage, a
department's) in the district it was reported in (``district_code``). The indexes that
answered the capped counts from the index alone (``INCLUDE (area_code, status)``) lacked
``district_code``, so every count of a district's staff read the table again (the triage
queue's count became a sequential scan). They carry it now; the report-time index
carries the area and status too, so that a page can find its rows' ids in the index
alone and read only those rows. And a new one, by status and area, answers the queues
of a street, a community or a grid ("open here", a few statuses under an area prefix):
their counts and their pages' ids from the matching entries alone.

Revision ID: e7b3a1c94d20
Revises: d4f1c2b9a7e3
Create Date: 2026-11-28 12:45:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'e7b3a1c94d20'
down_revision: str | None = 'd4f1c2b9a7e3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = {
    'ix_cases_area_reported_at': '(area_code text_pattern_ops, reported_at, id)'
    ' INCLUDE (status, district_code)',
    'ix_cases_area_due_at': '(area_code text_pattern_ops, due_at, id)'
    ' INCLUDE (status, district_code)',
    'ix_cases_due_at_id': '(due_at, id)'
    ' INCLUDE (area_code, status, due_breached, due_warned_percent, district_code)',
    'ix_cases_status_reported_at': '(status, reported_at, id) INCLUDE (area_code, district_code)',
    'ix_cases_reported_at_id': '(reported_at, id) INCLUDE (area_code, status, district_code)',
}
BEFORE = {
    'ix_cases_area_reported_at': '(area_code text_pattern_ops, reported_at, id) INCLUDE (status)',
    'ix_cases_area_due_at': '(area_code text_pattern_ops, due_at, id) INCLUDE (status)',
    'ix_cases_due_at_id': '(due_at, id)'
    ' INCLUDE (area_code, status, due_breached, due_warned_percent)',
    'ix_cases_status_reported_at': '(status, reported_at, id) INCLUDE (area_code)',
    'ix_cases_reported_at_id': '(reported_at, id)',
}


def _recreate(indexes: dict[str, str]) -> None:
    for name, columns in indexes.items():
        op.drop_index(name, table_name='cases', schema='dispatch')
        op.execute(f'CREATE INDEX {name} ON dispatch.cases {columns}')


def upgrade() -> None:
    _recreate(NOW)
    op.execute(
        'CREATE INDEX ix_cases_status_area ON dispatch.cases'
        ' (status, area_code text_pattern_ops) INCLUDE (district_code, reported_at, due_at, id)'
    )


def downgrade() -> None:
    op.drop_index('ix_cases_status_area', table_name='cases', schema='dispatch')
    _recreate(BEFORE)
