"""a wish wall can be closed (停用) and carries the version its editors send back

Revision ID: b3d5f7a9c1e2
Revises: a9d4c2e7f316
Create Date: 2026-11-28 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b3d5f7a9c1e2"
down_revision: str | None = "a9d4c2e7f316"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for name, kind in (
        ("updated_at", sa.DateTime(timezone=True)),
        ("updated_by", sa.String(length=100)),
        ("closed_at", sa.DateTime(timezone=True)),
        ("closed_by", sa.String(length=100)),
    ):
        op.add_column("walls", sa.Column(name, kind, nullable=True), schema="intake")
    # A wall made before: its creation is its version.
    op.execute("UPDATE intake.walls SET updated_at = created_at, updated_by = created_by")
    op.alter_column("walls", "updated_at", nullable=False, schema="intake")
    op.alter_column("walls", "updated_by", nullable=False, schema="intake")


def downgrade() -> None:
    for name in ("closed_by", "closed_at", "updated_by", "updated_at"):
        op.drop_column("walls", name, schema="intake")
