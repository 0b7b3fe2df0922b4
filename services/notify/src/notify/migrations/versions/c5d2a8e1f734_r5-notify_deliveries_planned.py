"""an event's deliveries planned in one call: the recipient's lock, the preferences they
were decided with checked, the burst-counted SMS and the rows along

Revision ID: c5d2a8e1f734
Revises: b7c4e19d2f50
Create Date: 2026-11-29 04:30:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'c5d2a8e1f734'
down_revision: str | None = 'b7c4e19d2f50'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns planning writes (the others keep their defaults).
_COLUMNS = (
    "id, idempotency_key, trigger_event_id, trigger_event_type, case_id, district_code,"
    " correlation_id, trace_context, channel, recipient_id, recipient_masked, template,"
    " params, status, attempts, next_attempt_at, planned_at, updated_at, last_error"
)


# A VOLATILE SQL function: each of its statements takes a fresh snapshot (READ
# COMMITTED), so the second one (the preferences' check, the burst count and the
# inserts) runs after the recipient's lock is granted and sees what the lock's previous
# holder committed, as a statement of its own after the lock would.
#
# p_expected: {staff id: {disabled_channels, email, quiet_hours} or null (none stored)},
# the preferences the rows were decided with. When the stored ones differ, nothing is
# written and they are returned (`preferences`), for the caller to decide again.
# p_counted: a row counted against the burst limit (its recipient's messages over its
# channel since p_since, each digest once, what it folded and what was skipped not at
# all), or null; p_along: rows not counted. Every row once per key (ON CONFLICT DO
# NOTHING); `planned`: the ids of the rows written.
def upgrade() -> None:
    op.execute(
        f"""
        CREATE FUNCTION notify.deliveries_planned(
            p_lock_key text, p_expected jsonb, p_counted jsonb, p_since timestamptz,
            p_limit integer, p_along jsonb
        ) RETURNS TABLE (planned uuid[], preferences jsonb)
        LANGUAGE sql VOLATILE AS $$
            SELECT pg_advisory_xact_lock(hashtext(p_lock_key)) WHERE p_lock_key IS NOT NULL;
            WITH stored AS (
                SELECT COALESCE(jsonb_object_agg(e.key, (
                    SELECT jsonb_build_object('disabled_channels', p.disabled_channels,
                        'email', p.email, 'quiet_hours', p.quiet_hours)
                    FROM notify.preferences p WHERE p.staff_id = e.key
                )), '{{}}'::jsonb) AS preferences
                FROM jsonb_each(p_expected) e
            ), checked AS (
                SELECT preferences, preferences = p_expected AS ok FROM stored
            ), counted AS (
                INSERT INTO notify.deliveries ({_COLUMNS})
                SELECT {_COLUMNS}
                FROM jsonb_populate_record(NULL::notify.deliveries, p_counted) r
                WHERE p_counted IS NOT NULL AND (SELECT ok FROM checked) AND (
                    SELECT count(*) FROM notify.deliveries d
                    WHERE d.recipient_id = r.recipient_id AND d.channel = r.channel
                        AND d.planned_at > p_since
                        AND d.status NOT IN ('digested', 'skipped')
                ) < p_limit
                ON CONFLICT DO NOTHING
                RETURNING id
            ), along AS (
                INSERT INTO notify.deliveries ({_COLUMNS})
                SELECT {_COLUMNS}
                FROM jsonb_populate_recordset(NULL::notify.deliveries, p_along) r
                WHERE (SELECT ok FROM checked)
                ON CONFLICT DO NOTHING
                RETURNING id
            )
            SELECT ARRAY(SELECT id FROM counted UNION ALL SELECT id FROM along),
                CASE WHEN ok THEN NULL ELSE preferences END
            FROM checked;
        $$
        """
    )


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION notify.deliveries_planned(text, jsonb, jsonb, timestamptz, integer,"
        " jsonb)"
    )
