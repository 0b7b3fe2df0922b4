"""patrol tracks: batches of GPS points per patrol session

Revision ID: e8b1c4d7f2a9
Revises: e7a1c3b5d9f2
Create Date: 2026-11-28 09:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e8b1c4d7f2a9"
down_revision: str | None = "e7a1c3b5d9f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patrol_track_batches",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["intake.patrol_sessions.id"],
            name=op.f("fk_patrol_track_batches_session_id_patrol_sessions"),
        ),
        sa.PrimaryKeyConstraint("session_id", "batch_id", name=op.f("pk_patrol_track_batches")),
        schema="intake",
    )
    op.create_table(
        "patrol_track_points",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("accuracy", sa.Float(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["intake.patrol_sessions.id"],
            name=op.f("fk_patrol_track_points_session_id_patrol_sessions"),
        ),
        sa.PrimaryKeyConstraint(
            "session_id", "batch_id", "seq", name=op.f("pk_patrol_track_points")
        ),
        schema="intake",
    )
    op.create_index(
        op.f("ix_patrol_track_points_session_id_recorded_at"),
        "patrol_track_points",
        ["session_id", "recorded_at"],
        unique=False,
        schema="intake",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_patrol_track_points_session_id_recorded_at"),
        table_name="patrol_track_points",
        schema="intake",
    )
    op.drop_table("patrol_track_points", schema="intake")
    op.drop_table("patrol_track_batches", schema="intake")
