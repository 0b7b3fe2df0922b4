"""outbox: the W3C trace context (traceparent, tracestate) of the writer, sent as Kafka headers

Revision ID: 208015182c94
Revises: d94f602e8e94
Create Date: 2026-11-21 23:07:04.307629
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '208015182c94'
down_revision: str | None = 'd94f602e8e94'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('headers', postgresql.JSONB(), nullable=True), schema='notify')


def downgrade() -> None:
    op.drop_column('outbox', 'headers', schema='notify')
