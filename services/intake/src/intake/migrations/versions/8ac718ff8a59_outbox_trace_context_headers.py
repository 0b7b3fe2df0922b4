"""outbox: the W3C trace context (traceparent, tracestate) of the writer, sent as Kafka headers

Revision ID: 8ac718ff8a59
Revises: 16a499a1bafe
Create Date: 2026-11-21 23:06:55.129290
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '8ac718ff8a59'
down_revision: str | None = '16a499a1bafe'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('headers', postgresql.JSONB(), nullable=True), schema='intake')


def downgrade() -> None:
    op.drop_column('outbox', 'headers', schema='intake')
