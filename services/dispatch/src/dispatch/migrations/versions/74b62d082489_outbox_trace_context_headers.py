"""outbox: the W3C trace context (traceparent, tracestate) of the writer, sent as Kafka headers

Revision ID: 74b62d082489
Revises: c81a57304082
Create Date: 2026-11-21 23:06:58.222439
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '74b62d082489'
down_revision: str | None = 'c81a57304082'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('headers', postgresql.JSONB(), nullable=True), schema='dispatch')


def downgrade() -> None:
    op.drop_column('outbox', 'headers', schema='dispatch')
