"""public status ordered by case version

Revision ID: 4f0e4dbc977c
Revises: b6bc9b2e6ad5
Create Date: 2026-11-21 21:56:41.722664
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '4f0e4dbc977c'
down_revision: str | None = 'b6bc9b2e6ad5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The rank of the old projection becomes the version it was last moved by: both only
    # ever grow, and dispatch's case versions start above 0.
    op.alter_column("cases", "status_rank", new_column_name="status_version", schema="intake")


def downgrade() -> None:
    op.alter_column("cases", "status_version", new_column_name="status_rank", schema="intake")
