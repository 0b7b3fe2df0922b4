"""case search indexes, the deadlines projection, saved views, canned phrases

Revision ID: 5c1e2a9d7b40
Revises: 74b62d082489
Create Date: 2026-11-28 07:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '5c1e2a9d7b40'
down_revision: str | None = '74b62d082489'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # pg_trgm is a trusted extension: the database's owner may create it (no superuser).
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_table(
        'sla_clocks',
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('clock', sa.String(length=16), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('warned_percent', sa.Integer(), nullable=False),
        sa.Column('breached', sa.Boolean(), nullable=False),
        sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resumed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('case_id', 'clock', name=op.f('pk_sla_clocks')),
        schema='dispatch',
    )
    op.create_table(
        'case_deadlines',
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('clock', sa.String(length=16), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('warned_percent', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('breached', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_deadlines')),
        schema='dispatch',
    )
    op.create_index('ix_case_deadlines_due_at', 'case_deadlines', ['due_at', 'case_id'], unique=False, schema='dispatch')
    op.execute('CREATE INDEX ix_cases_area_pattern ON dispatch.cases (coalesce(grid_code, community_code) text_pattern_ops)')
    op.create_index('ix_cases_reported_at_id', 'cases', ['reported_at', 'id'], unique=False, schema='dispatch')
    op.create_index('ix_cases_updated_at_id', 'cases', ['updated_at', 'id'], unique=False, schema='dispatch')
    op.create_index('ix_cases_status_reported_at', 'cases', ['status', 'reported_at', 'id'], unique=False, schema='dispatch')
    op.create_index('ix_cases_tracking_no', 'cases', ['tracking_no'], unique=False, schema='dispatch')
    op.execute('CREATE INDEX ix_cases_content_trgm ON dispatch.cases USING gin (content gin_trgm_ops)')
    op.execute('CREATE INDEX ix_cases_address_trgm ON dispatch.cases USING gin (address gin_trgm_ops)')
    op.create_table(
        'saved_views',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('owner_id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('filters', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('sort', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_views')),
        sa.UniqueConstraint('owner_id', 'name', name=op.f('uq_saved_views_owner_id_name')),
        schema='dispatch',
    )
    op.create_index(op.f('ix_saved_views_owner_id'), 'saved_views', ['owner_id'], unique=False, schema='dispatch')
    op.create_table(
        'phrases',
        sa.Column('unit', sa.String(length=80), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('phrases', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('unit', 'action', name=op.f('pk_phrases')),
        schema='dispatch',
    )


def downgrade() -> None:
    op.drop_table('phrases', schema='dispatch')
    op.drop_index(op.f('ix_saved_views_owner_id'), table_name='saved_views', schema='dispatch')
    op.drop_table('saved_views', schema='dispatch')
    for name in (
        'ix_cases_address_trgm',
        'ix_cases_content_trgm',
        'ix_cases_tracking_no',
        'ix_cases_status_reported_at',
        'ix_cases_updated_at_id',
        'ix_cases_reported_at_id',
        'ix_cases_area_pattern',
    ):
        op.drop_index(name, table_name='cases', schema='dispatch')
    op.drop_index('ix_case_deadlines_due_at', table_name='case_deadlines', schema='dispatch')
    op.drop_table('case_deadlines', schema='dispatch')
    op.drop_table('sla_clocks', schema='dispatch')
