"""case steps for the public status page

Revision ID: 7664486c9641
Revises: 49b758078081
Create Date: 2026-11-22 00:06:23.504393
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7664486c9641"
down_revision: str | None = "49b758078081"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_steps",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["intake.cases.id"], name=op.f("fk_case_steps_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", "version", "status", name=op.f("pk_case_steps")),
        schema="intake",
    )


def downgrade() -> None:
    op.drop_table("case_steps", schema="intake")
