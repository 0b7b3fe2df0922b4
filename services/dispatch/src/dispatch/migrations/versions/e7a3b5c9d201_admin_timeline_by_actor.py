"""the timeline by its actor: the per-person audit (who did what)

Revision ID: e7a3b5c9d201
Revises: e7b3a1c94d20
Create Date: 2026-11-28 12:30:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'e7a3b5c9d201'
down_revision: str | None = 'e7b3a1c94d20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_case_timeline_actor_id', 'case_timeline', ['actor', 'id'], unique=False, schema='dispatch')


def downgrade() -> None:
    op.drop_index('ix_case_timeline_actor_id', table_name='case_timeline', schema='dispatch')
