"""tenancy: the district of a delivery

Revision ID: f3b81d6c2a07
Revises: a6ecc711dd8e
Create Date: 2026-11-28 09:50:00
"""
import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'f3b81d6c2a07'
down_revision: str | None = 'a6ecc711dd8e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('deliveries', sa.Column('district_code', sa.String(length=32), nullable=True), schema='notify')
    # Deliveries of before: the deployment's own district (one district then).
    op.execute(
        sa.text("UPDATE notify.deliveries SET district_code = :tenant").bindparams(
            tenant=os.environ.get('GRIDCASE_TENANT', '510302')
        )
    )


def downgrade() -> None:
    op.drop_column('deliveries', 'district_code', schema='notify')
