"""reports: case facts, escalation records, directory areas and departments

Revision ID: 28f73b880f16
Revises: 58c5f0ded2cd
Create Date: 2026-11-21 23:09:20.146707
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '28f73b880f16'
down_revision: str | None = '58c5f0ded2cd'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_facts',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('tracking_no', sa.String(length=32), server_default='', nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.Column('category_code', sa.String(length=64), nullable=True),
    sa.Column('priority', sa.String(length=10), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('grid_code', sa.String(length=32), nullable=True),
    sa.Column('community_code', sa.String(length=32), nullable=True),
    sa.Column('street_code', sa.String(length=32), nullable=True),
    sa.Column('district_code', sa.String(length=32), nullable=True),
    sa.Column('department_code', sa.String(length=32), nullable=True),
    sa.Column('location_version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('state_version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('sign_for_clocked', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('first_assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sign_for_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_in_time', sa.Boolean(), nullable=True),
    sa.Column('first_resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_on_time', sa.Boolean(), nullable=True),
    sa.Column('satisfaction', sa.String(length=24), nullable=True),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('evaluation_version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('returns', sa.Integer(), server_default='0', nullable=False),
    sa.Column('transfers', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reopenings', sa.Integer(), server_default='0', nullable=False),
    sa.Column('escalations', sa.Integer(), server_default='0', nullable=False),
    sa.Column('buck_passing_flags', sa.Integer(), server_default='0', nullable=False),
    sa.Column('supervision_yellow', sa.Integer(), server_default='0', nullable=False),
    sa.Column('supervision_red', sa.Integer(), server_default='0', nullable=False),
    sa.Column('supervision_manual', sa.Integer(), server_default='0', nullable=False),
    sa.Column('ended', sa.String(length=16), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_facts')),
    schema='escalation'
    )
    op.create_index('ix_case_facts_community', 'case_facts', ['community_code'], unique=False, schema='escalation')
    op.create_index('ix_case_facts_department', 'case_facts', ['department_code'], unique=False, schema='escalation')
    op.create_index('ix_case_facts_grid', 'case_facts', ['grid_code'], unique=False, schema='escalation')
    op.create_index('ix_case_facts_received_at', 'case_facts', ['received_at'], unique=False, schema='escalation')
    op.create_table('directory_areas',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_directory_areas')),
    schema='escalation'
    )
    op.create_table('directory_departments',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_directory_departments')),
    schema='escalation'
    )
    op.create_table('report_escalations',
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('tracking_no', sa.String(length=32), nullable=False),
    sa.Column('clock', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('target_role', sa.String(length=32), nullable=False),
    sa.Column('buck_passing', sa.Boolean(), nullable=False),
    sa.Column('grid_code', sa.String(length=32), nullable=True),
    sa.Column('department_code', sa.String(length=32), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_report_escalations')),
    schema='escalation'
    )
    op.create_index('ix_report_escalations_at', 'report_escalations', ['escalated_at'], unique=False, schema='escalation')


def downgrade() -> None:
    op.drop_index('ix_report_escalations_at', table_name='report_escalations', schema='escalation')
    op.drop_table('report_escalations', schema='escalation')
    op.drop_table('directory_departments', schema='escalation')
    op.drop_table('directory_areas', schema='escalation')
    op.drop_index('ix_case_facts_received_at', table_name='case_facts', schema='escalation')
    op.drop_index('ix_case_facts_grid', table_name='case_facts', schema='escalation')
    op.drop_index('ix_case_facts_department', table_name='case_facts', schema='escalation')
    op.drop_index('ix_case_facts_community', table_name='case_facts', schema='escalation')
    op.drop_table('case_facts', schema='escalation')
