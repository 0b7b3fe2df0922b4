"""tenancy: the district of clocks and supervision orders

Revision ID: e27a0c4d9b15
Revises: fa91d0b55319
Create Date: 2026-11-28 09:40:00
"""
import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'e27a0c4d9b15'
down_revision: str | None = 'fa91d0b55319'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('clocks', 'supervision_orders')


def upgrade() -> None:
    tenant = os.environ.get('GRIDCASE_TENANT', '510302')
    for table in TABLES:
        op.add_column(table, sa.Column('district_code', sa.String(length=32), nullable=True), schema='escalation')
        # Rows of before: their area's district, else the deployment's own (one district then).
        op.execute(
            sa.text(
                f"UPDATE escalation.{table} SET district_code = coalesce(left(grid_code, 6), :tenant)"
            ).bindparams(tenant=tenant)
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, 'district_code', schema='escalation')
