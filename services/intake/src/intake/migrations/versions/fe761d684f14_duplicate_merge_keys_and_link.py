"""duplicate merge keys and link

Revision ID: fe761d684f14
Revises: 8ac718ff8a59
Create Date: 2026-11-21 23:07:18.426760
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'fe761d684f14'
down_revision: str | None = '8ac718ff8a59'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('category_norm', sa.String(length=100), nullable=True), schema='intake')
    op.add_column('cases', sa.Column('address_norm', sa.String(length=300), nullable=True), schema='intake')
    op.add_column('cases', sa.Column('duplicate_of', sa.Uuid(), nullable=True), schema='intake')
    op.add_column('cases', sa.Column('duplicate_of_tracking_no', sa.String(length=32), nullable=True), schema='intake')
    op.create_index('ix_cases_merge_candidates', 'cases', ['category_norm', 'reported_at'], unique=False, schema='intake')
    op.create_foreign_key(op.f('fk_cases_duplicate_of_cases'), 'cases', 'cases', ['duplicate_of'], ['id'], source_schema='intake', referent_schema='intake')
    # Cases taken in before merging existed can be merged into (by category only: the
    # address key needs the NFKC normaliser, so it starts with new reports).
    op.execute(
        "UPDATE intake.cases SET category_norm = lower(regexp_replace(category_hint, '\\s', '', 'g')) "
        "WHERE category_hint IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_constraint(op.f('fk_cases_duplicate_of_cases'), 'cases', schema='intake', type_='foreignkey')
    op.drop_index('ix_cases_merge_candidates', table_name='cases', schema='intake')
    op.drop_column('cases', 'duplicate_of_tracking_no', schema='intake')
    op.drop_column('cases', 'duplicate_of', schema='intake')
    op.drop_column('cases', 'address_norm', schema='intake')
    op.drop_column('cases', 'category_norm', schema='intake')
