"""trace context: the outbox row's (sent as Kafka headers) and the delivery's (its send continues the trace)

Revision ID: 02f34e1d5c8c
Revises: d94f602e8e94
Create Date: 2026-11-21 23:34:22.000771
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '02f34e1d5c8c'
down_revision: str | None = 'd94f602e8e94'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('deliveries', sa.Column('trace_context', postgresql.JSONB(), nullable=True), schema='notify')
    op.add_column('outbox', sa.Column('headers', postgresql.JSONB(), nullable=True), schema='notify')


def downgrade() -> None:
    op.drop_column('outbox', 'headers', schema='notify')
    op.drop_column('deliveries', 'trace_context', schema='notify')
