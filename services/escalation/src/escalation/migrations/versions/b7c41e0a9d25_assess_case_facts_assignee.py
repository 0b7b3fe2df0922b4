"""case facts: the member a case stands assigned to (for the assessment, 网格员考核)

Revision ID: b7c41e0a9d25
Revises: e27a0c4d9b15
Create Date: 2026-11-28 10:25:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b7c41e0a9d25'
down_revision: str | None = 'e27a0c4d9b15'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('case_facts', sa.Column('assignee_id', sa.String(length=64), nullable=True), schema='escalation')
    op.add_column('case_facts', sa.Column('assignee_role', sa.String(length=32), nullable=True), schema='escalation')
    op.add_column('case_facts', sa.Column('assignee_version', sa.Integer(), server_default='0', nullable=False), schema='escalation')
    op.create_index('ix_case_facts_assignee', 'case_facts', ['assignee_id'], unique=False, schema='escalation')


def downgrade() -> None:
    op.drop_index('ix_case_facts_assignee', table_name='case_facts', schema='escalation')
    op.drop_column('case_facts', 'assignee_version', schema='escalation')
    op.drop_column('case_facts', 'assignee_role', schema='escalation')
    op.drop_column('case_facts', 'assignee_id', schema='escalation')
