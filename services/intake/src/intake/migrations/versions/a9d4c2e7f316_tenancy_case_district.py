"""tenancy: the district dispatch says a case belongs to

Revision ID: a9d4c2e7f316
Revises: e8b1c4d7f2a9
Create Date: 2026-11-28 09:55:00
"""
import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a9d4c2e7f316'
down_revision: str | None = 'e8b1c4d7f2a9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('district_code', sa.String(length=32), nullable=True), schema='intake')
    # Cases of before: their area's district, else the deployment's own (one district then).
    op.execute(
        sa.text(
            "UPDATE intake.cases SET district_code = "
            "coalesce(left(coalesce(grid_code, community_code), 6), :tenant)"
        ).bindparams(tenant=os.environ.get('GRIDCASE_TENANT', '510302'))
    )


def downgrade() -> None:
    op.drop_column('cases', 'district_code', schema='intake')
