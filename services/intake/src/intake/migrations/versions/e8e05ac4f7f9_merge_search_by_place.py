"""the merge search finds a category's open cases by place, not by scanning the category

Revision ID: e8e05ac4f7f9
Revises: b3d5f7a9c1e2
Create Date: 2026-11-29 06:00:00.000000

The search for a duplicate (intake.cases.repository._OPEN_SQL) asks for open first
reports of one category inside a box around the point, or at the same address, reported
in the merge window. The index on (category_norm, reported_at) made it read every case
of the category in the window: in a burst of one category (a water main) each push read
all the pushes before it, so a push cost more the longer the burst ran (1.2 ms of
PostgreSQL at 6,000 cases, 11 ms at 60,000). Two partial indexes answer it by place
instead: a latitude band narrowed by longitude and category inside the index, and the
address. Each leads with what only it can find, so that no plan can use it to read a
whole category (repository._OPEN_SQL says why).

Built with IF NOT EXISTS, so that on a large table an operator can build them first with
CREATE INDEX CONCURRENTLY under the same names (docs/operations.md), and the upgrade then
only drops the old index. Otherwise the build holds writes to intake.cases for its
duration (seconds per million cases).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e8e05ac4f7f9"
down_revision: str | None = "b3d5f7a9c1e2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_cases_merge_near ON intake.cases"
        " (lat, lon, category_norm) WHERE duplicate_of IS NULL"
    )
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_cases_merge_address ON intake.cases"
        " (address_norm, category_norm) WHERE duplicate_of IS NULL"
    )
    op.execute("DROP INDEX IF EXISTS intake.ix_cases_merge_candidates")


def downgrade() -> None:
    op.create_index(
        "ix_cases_merge_candidates", "cases", ["category_norm", "reported_at"], schema="intake"
    )
    op.drop_index("ix_cases_merge_address", table_name="cases", schema="intake")
    op.drop_index("ix_cases_merge_near", table_name="cases", schema="intake")
