"""a reporter learned: its case's lock, its row and the case's owed notices in one call

Revision ID: b7c4e19d2f50
Revises: f3b81d6c2a07
Create Date: 2026-11-29 03:30:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'b7c4e19d2f50'
down_revision: str | None = 'f3b81d6c2a07'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A VOLATILE SQL function: each of its statements takes a fresh snapshot (READ
# COMMITTED), so the owed notices are read after the lock is granted and see what the
# lock's previous holder committed, as a statement of their own after the lock would.
def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION notify.reporter_learned(
            lock_key text, p_case_id uuid, p_report_id uuid, p_tracking_no varchar,
            p_channel varchar, p_external_ref varchar, p_phone_enc text,
            p_phone_masked varchar, p_recorded_at timestamptz
        ) RETURNS SETOF notify.owed_notices
        LANGUAGE sql VOLATILE AS $$
            SELECT pg_advisory_xact_lock(hashtext(lock_key));
            INSERT INTO notify.reporters (case_id, report_id, tracking_no, channel,
                external_ref, phone_enc, phone_masked, recorded_at)
            VALUES (p_case_id, p_report_id, p_tracking_no, p_channel, p_external_ref,
                p_phone_enc, p_phone_masked, p_recorded_at)
            ON CONFLICT DO NOTHING;
            SELECT * FROM notify.owed_notices WHERE case_id = p_case_id
            ORDER BY happened_at, event_id;
        $$
        """
    )


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION notify.reporter_learned(text, uuid, uuid, varchar, varchar, varchar,"
        " text, varchar, timestamptz)"
    )
