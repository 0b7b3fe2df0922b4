"""outbox: the W3C trace context (traceparent, tracestate) of the writer, sent as Kafka headers

Revision ID: fa91d0b55319
Revises: 28f73b880f16
Create Date: 2026-11-21 23:07:01.497883
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'fa91d0b55319'
down_revision: str | None = '28f73b880f16'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('headers', postgresql.JSONB(), nullable=True), schema='escalation')


def downgrade() -> None:
    op.drop_column('outbox', 'headers', schema='escalation')
