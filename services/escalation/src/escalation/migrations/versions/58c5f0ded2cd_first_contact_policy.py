"""first contact policy

Revision ID: 58c5f0ded2cd
Revises: 56703873c570
Create Date: 2026-11-21 22:24:15.836897
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '58c5f0ded2cd'
down_revision: str | None = '56703873c570'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # First contact with the resident once someone has accepted the case (首次联系).
    op.execute(
        "INSERT INTO escalation.policies (category_code, priority, clock, amount, unit, working_hours, end_of_day)"
        " VALUES ('*', 'urgent', 'first_contact', 1, 'hours', false, false),"
        " ('*', 'normal', 'first_contact', 24, 'hours', false, false)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM escalation.policies WHERE clock = 'first_contact'")
