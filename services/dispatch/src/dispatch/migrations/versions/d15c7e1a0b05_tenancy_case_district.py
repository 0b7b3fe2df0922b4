"""tenancy: the district a case belongs to

Revision ID: d15c7e1a0b05
Revises: 9d4e2f7a1c3b
Create Date: 2026-11-28 09:40:00
"""
import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'd15c7e1a0b05'
down_revision: str | None = '9d4e2f7a1c3b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('district_code', sa.String(length=32), nullable=True), schema='dispatch')
    # Cases of before: their area's district, else the deployment's own (one district then).
    op.execute(
        sa.text(
            "UPDATE dispatch.cases SET district_code = "
            "coalesce(left(coalesce(grid_code, community_code), 6), :tenant)"
        ).bindparams(tenant=os.environ.get('GRIDCASE_TENANT', '510302'))
    )


def downgrade() -> None:
    op.drop_column('cases', 'district_code', schema='dispatch')
