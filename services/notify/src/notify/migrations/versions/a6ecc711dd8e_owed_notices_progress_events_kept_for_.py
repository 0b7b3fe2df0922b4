"""owed notices: progress events kept for residents learned later

Revision ID: a6ecc711dd8e
Revises: ae53f04da415
Create Date: 2026-11-21 23:59:17.904628
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'a6ecc711dd8e'
down_revision: str | None = 'ae53f04da415'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('owed_notices',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('happened_at', sa.DateTime(timezone=True), nullable=False, comment='when the case made that progress'),
    sa.Column('envelope', postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment='the event, to plan again'),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('case_id', 'event_id', name=op.f('pk_owed_notices')),
    schema='notify'
    )


def downgrade() -> None:
    op.drop_table('owed_notices', schema='notify')
