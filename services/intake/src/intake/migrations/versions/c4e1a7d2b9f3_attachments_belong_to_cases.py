"""attachments belong to cases: their uploaders, resolutions' evidence, and an index to
find the reports that carry a file

Downloads are checked against the cases a file belongs to (issue 16, finding 11): the
reports whose ``attachments`` carry its URL (a GIN index for the containment test), the
resolutions that gave it as evidence (from dispatch's ``case.resolved``), and, until a
case references it, the people who uploaded it (the first uploader of existing files).

Revision ID: c4e1a7d2b9f3
Revises: a3c5e7f90b12
Create Date: 2026-11-28 07:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e1a7d2b9f3"
down_revision: str | None = "a3c5e7f90b12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment_uploads",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["name"],
            ["intake.attachments.name"],
            name=op.f("fk_attachment_uploads_name_attachments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("name", "uploaded_by", name=op.f("pk_attachment_uploads")),
        schema="intake",
    )
    op.execute(
        "INSERT INTO intake.attachment_uploads (name, uploaded_by, uploaded_at) "
        "SELECT name, uploaded_by, created_at FROM intake.attachments"
    )
    op.create_table(
        "attachment_evidence",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["name"],
            ["intake.attachments.name"],
            name=op.f("fk_attachment_evidence_name_attachments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("name", "case_id", name=op.f("pk_attachment_evidence")),
        schema="intake",
    )
    op.create_index(
        "ix_cases_attachments",
        "cases",
        ["attachments"],
        schema="intake",
        postgresql_using="gin",
        postgresql_ops={"attachments": "jsonb_path_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_cases_attachments", table_name="cases", schema="intake")
    op.drop_table("attachment_evidence", schema="intake")
    op.drop_table("attachment_uploads", schema="intake")
