"""attachments purgeable: orphans are deleted, but not staff files stored before

The orphan purge (issue 16, finding 6) deletes files no case references. Intake learns
of a resolution's evidence only from ``case.resolved`` events that arrive from now on,
so staff files stored before may be evidence dispatch holds: they are kept
(``purgeable`` false). Anonymous wall uploads stored before are purgeable.

Revision ID: d5f2b8e3c0a4
Revises: c4e1a7d2b9f3
Create Date: 2026-11-28 07:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d5f2b8e3c0a4"
down_revision: str | None = "c4e1a7d2b9f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "attachments",
        sa.Column("purgeable", sa.Boolean(), server_default=sa.true(), nullable=False),
        schema="intake",
    )
    op.execute(
        "UPDATE intake.attachments SET purgeable = false WHERE uploaded_by NOT LIKE 'wall:%'"
    )


def downgrade() -> None:
    op.drop_column("attachments", "purgeable", schema="intake")
