"""versions: settings rows carry their version (updated_at, updated_by); supervision answers

Revision ID: 4b1d7e92c0a3
Revises: c3e8a1f04b72
Create Date: 2026-11-28 15:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '4b1d7e92c0a3'
down_revision: str | None = 'c3e8a1f04b72'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SETTINGS = ('policies', 'ladder_levels', 'calendar_days')


def upgrade() -> None:
    for table in SETTINGS:
        op.add_column(
            table,
            sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
            schema='escalation',
        )
        op.add_column(
            table,
            sa.Column('updated_by', sa.String(length=64), server_default='', nullable=False),
            schema='escalation',
        )
    op.add_column('supervision_orders', sa.Column('answer', sa.Text(), nullable=True), schema='escalation')
    op.add_column('supervision_orders', sa.Column('answered_by', sa.String(length=64), nullable=True), schema='escalation')
    op.add_column(
        'supervision_orders', sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True), schema='escalation'
    )


def downgrade() -> None:
    for column in ('answered_at', 'answered_by', 'answer'):
        op.drop_column('supervision_orders', column, schema='escalation')
    for table in SETTINGS:
        op.drop_column(table, 'updated_by', schema='escalation')
        op.drop_column(table, 'updated_at', schema='escalation')
