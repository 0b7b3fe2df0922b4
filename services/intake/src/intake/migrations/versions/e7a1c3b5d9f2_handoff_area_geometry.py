"""areas carry a grid's polygon: the district's boundary comes from the directory

Revision ID: e7a1c3b5d9f2
Revises: d5f2b8e3c0a4
Create Date: 2026-11-28 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "e7a1c3b5d9f2"
down_revision: str | None = "d5f2b8e3c0a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "areas",
        sa.Column("geometry", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="intake",
    )


def downgrade() -> None:
    op.drop_column("areas", "geometry", schema="intake")
