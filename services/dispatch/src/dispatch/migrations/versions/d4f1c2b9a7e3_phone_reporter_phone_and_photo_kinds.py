"""the resident's phone on a case (masked, and encrypted for the assignee to call); what
each evidence photo shows (before/after)

Revision ID: d4f1c2b9a7e3
Revises: d15c7e1a0b05
Create Date: 2026-11-28 09:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'd4f1c2b9a7e3'
down_revision: str | None = 'd15c7e1a0b05'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('reporter_phone_masked', sa.String(length=20), nullable=True), schema='dispatch')
    op.add_column('cases', sa.Column('reporter_phone_enc', sa.Text(), nullable=True), schema='dispatch')
    op.add_column('cases', sa.Column('evidence_kinds', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False), schema='dispatch')


def downgrade() -> None:
    op.drop_column('cases', 'evidence_kinds', schema='dispatch')
    op.drop_column('cases', 'reporter_phone_enc', schema='dispatch')
    op.drop_column('cases', 'reporter_phone_masked', schema='dispatch')
