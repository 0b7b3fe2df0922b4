"""reports: patrol sessions and household visits per field worker, and returns by the
person who returned (for the assessment, 网格员考核)

Revision ID: c3e8a1f04b72
Revises: b7c41e0a9d25
Create Date: 2026-11-28 12:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c3e8a1f04b72'
down_revision: str | None = 'b7c41e0a9d25'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'report_patrols',
        sa.Column('session_id', sa.Uuid(), nullable=False),
        sa.Column('staff_id', sa.String(length=64), nullable=False),
        sa.Column('staff_role', sa.String(length=32), nullable=False),
        sa.Column('grid_code', sa.String(length=32), nullable=False),
        sa.Column('community_code', sa.String(length=32), nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('qualifying', sa.Boolean(), nullable=False),
        sa.Column('min_sessions_per_day', sa.Integer(), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('session_id', name=op.f('pk_report_patrols')),
        schema='escalation',
    )
    op.create_index('ix_report_patrols_day', 'report_patrols', ['day'], unique=False, schema='escalation')
    op.create_index('ix_report_patrols_community', 'report_patrols', ['community_code'], unique=False, schema='escalation')
    op.create_table(
        'report_visits',
        sa.Column('visit_id', sa.Uuid(), nullable=False),
        sa.Column('staff_id', sa.String(length=64), nullable=False),
        sa.Column('staff_role', sa.String(length=32), nullable=False),
        sa.Column('grid_code', sa.String(length=32), nullable=False),
        sa.Column('community_code', sa.String(length=32), nullable=True),
        sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('visit_id', name=op.f('pk_report_visits')),
        schema='escalation',
    )
    op.create_index('ix_report_visits_at', 'report_visits', ['visited_at'], unique=False, schema='escalation')
    op.create_index('ix_report_visits_community', 'report_visits', ['community_code'], unique=False, schema='escalation')
    op.create_table(
        'report_returns',
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('ordinal', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.String(length=64), nullable=False),
        sa.Column('staff_role', sa.String(length=32), nullable=False),
        sa.Column('grid_code', sa.String(length=32), nullable=True),
        sa.Column('community_code', sa.String(length=32), nullable=True),
        sa.Column('returned_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('case_id', 'ordinal', name=op.f('pk_report_returns')),
        schema='escalation',
    )
    op.create_index('ix_report_returns_staff', 'report_returns', ['staff_id'], unique=False, schema='escalation')


def downgrade() -> None:
    op.drop_index('ix_report_returns_staff', table_name='report_returns', schema='escalation')
    op.drop_table('report_returns', schema='escalation')
    op.drop_index('ix_report_visits_community', table_name='report_visits', schema='escalation')
    op.drop_index('ix_report_visits_at', table_name='report_visits', schema='escalation')
    op.drop_table('report_visits', schema='escalation')
    op.drop_index('ix_report_patrols_community', table_name='report_patrols', schema='escalation')
    op.drop_index('ix_report_patrols_day', table_name='report_patrols', schema='escalation')
    op.drop_table('report_patrols', schema='escalation')
