"""wish walls, patrols, visits, attachments, idempotency keys, rate counters

Revision ID: 16a499a1bafe
Revises: 4f0e4dbc977c
Create Date: 2026-11-21 23:10:05.110023
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '16a499a1bafe'
down_revision: str | None = '4f0e4dbc977c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('attachments',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_attachments')),
    schema='intake'
    )
    op.create_table('household_visits',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.String(length=100), nullable=False),
    sa.Column('grid_code', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('address_key', sa.String(length=300), nullable=False),
    sa.Column('household', sa.String(length=100), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_visits')),
    schema='intake'
    )
    op.create_index(op.f('ix_household_visits_address_key'), 'household_visits', ['address_key'], unique=False, schema='intake')
    op.create_table('idempotency_keys',
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.SmallInteger(), nullable=True),
    sa.Column('response_body', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_idempotency_keys')),
    schema='intake'
    )
    op.create_index(op.f('ix_idempotency_keys_expires_at'), 'idempotency_keys', ['expires_at'], unique=False, schema='intake')
    op.create_table('patrol_sessions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.String(length=100), nullable=False),
    sa.Column('grid_code', sa.String(length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_sessions')),
    schema='intake'
    )
    op.create_index(op.f('ix_patrol_sessions_grid_code_started_at'), 'patrol_sessions', ['grid_code', 'started_at'], unique=False, schema='intake')
    op.create_index('uq_patrol_sessions_open_staff_id', 'patrol_sessions', ['staff_id'], unique=True, schema='intake', postgresql_where=sa.text('ended_at IS NULL'))
    op.create_table('rate_counters',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'window_start', name=op.f('pk_rate_counters')),
    schema='intake'
    )
    op.create_table('walls',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('community_code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_walls')),
    schema='intake'
    )
    op.create_index(op.f('ix_walls_community_code'), 'walls', ['community_code'], unique=False, schema='intake')
    op.create_table('patrol_reports',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['intake.cases.id'], name=op.f('fk_patrol_reports_case_id_cases')),
    sa.ForeignKeyConstraint(['session_id'], ['intake.patrol_sessions.id'], name=op.f('fk_patrol_reports_session_id_patrol_sessions')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_patrol_reports')),
    schema='intake'
    )
    op.create_index(op.f('ix_patrol_reports_session_id'), 'patrol_reports', ['session_id'], unique=False, schema='intake')
    op.create_table('visit_reports',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('visit_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['intake.cases.id'], name=op.f('fk_visit_reports_case_id_cases')),
    sa.ForeignKeyConstraint(['visit_id'], ['intake.household_visits.id'], name=op.f('fk_visit_reports_visit_id_household_visits')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_visit_reports')),
    schema='intake'
    )
    op.create_index(op.f('ix_visit_reports_visit_id'), 'visit_reports', ['visit_id'], unique=False, schema='intake')
    op.create_table('wall_wishes',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('wall_id', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('transcribed_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['intake.cases.id'], name=op.f('fk_wall_wishes_case_id_cases')),
    sa.ForeignKeyConstraint(['wall_id'], ['intake.walls.id'], name=op.f('fk_wall_wishes_wall_id_walls')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_wall_wishes')),
    schema='intake'
    )
    op.create_index(op.f('ix_wall_wishes_wall_id'), 'wall_wishes', ['wall_id'], unique=False, schema='intake')


def downgrade() -> None:
    op.drop_index(op.f('ix_wall_wishes_wall_id'), table_name='wall_wishes', schema='intake')
    op.drop_table('wall_wishes', schema='intake')
    op.drop_index(op.f('ix_visit_reports_visit_id'), table_name='visit_reports', schema='intake')
    op.drop_table('visit_reports', schema='intake')
    op.drop_index(op.f('ix_patrol_reports_session_id'), table_name='patrol_reports', schema='intake')
    op.drop_table('patrol_reports', schema='intake')
    op.drop_index(op.f('ix_walls_community_code'), table_name='walls', schema='intake')
    op.drop_table('walls', schema='intake')
    op.drop_table('rate_counters', schema='intake')
    op.drop_index('uq_patrol_sessions_open_staff_id', table_name='patrol_sessions', schema='intake', postgresql_where=sa.text('ended_at IS NULL'))
    op.drop_index(op.f('ix_patrol_sessions_grid_code_started_at'), table_name='patrol_sessions', schema='intake')
    op.drop_table('patrol_sessions', schema='intake')
    op.drop_index(op.f('ix_idempotency_keys_expires_at'), table_name='idempotency_keys', schema='intake')
    op.drop_table('idempotency_keys', schema='intake')
    op.drop_index(op.f('ix_household_visits_address_key'), table_name='household_visits', schema='intake')
    op.drop_table('household_visits', schema='intake')
    op.drop_table('attachments', schema='intake')
