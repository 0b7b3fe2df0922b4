"""tenancy: the district of clocks and supervision orders; policies and calendar days per district

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

    # Policies and calendar days: the city's default ('') and each district's own.
    op.add_column('policies', sa.Column('district_code', sa.String(length=6), server_default='', nullable=False), schema='escalation')
    op.drop_constraint('uq_policies_category_code_priority_clock', 'policies', schema='escalation', type_='unique')
    op.create_unique_constraint(op.f('uq_policies_district_code_category_code_priority_clock'), 'policies', ['district_code', 'category_code', 'priority', 'clock'], schema='escalation')
    op.add_column('calendar_days', sa.Column('district_code', sa.String(length=6), server_default='', nullable=False), schema='escalation')
    op.drop_constraint('pk_calendar_days', 'calendar_days', schema='escalation', type_='primary')
    op.create_primary_key(op.f('pk_calendar_days'), 'calendar_days', ['district_code', 'day'], schema='escalation')


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM escalation.calendar_days WHERE district_code <> ''"))
    op.drop_constraint('pk_calendar_days', 'calendar_days', schema='escalation', type_='primary')
    op.drop_column('calendar_days', 'district_code', schema='escalation')
    op.create_primary_key('pk_calendar_days', 'calendar_days', ['day'], schema='escalation')
    op.execute(sa.text("DELETE FROM escalation.policies WHERE district_code <> ''"))
    op.drop_constraint('uq_policies_district_code_category_code_priority_clock', 'policies', schema='escalation', type_='unique')
    op.drop_column('policies', 'district_code', schema='escalation')
    op.create_unique_constraint('uq_policies_category_code_priority_clock', 'policies', ['category_code', 'priority', 'clock'], schema='escalation')
    for table in TABLES:
        op.drop_column(table, 'district_code', schema='escalation')
