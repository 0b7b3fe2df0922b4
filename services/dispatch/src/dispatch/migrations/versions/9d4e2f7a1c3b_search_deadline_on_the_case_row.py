"""search: the case's area and running deadline on its own row, indexes per queue

The case search filtered on the case (area, status) and sorted by the deadline, which
lived in another table: no index served both, and a street's open cases by due time
joined tens of thousands of rows for a page of 50. Now the row the search reads carries
both:

- ``area_code``: the grid, else the community (a stored generated column), so that an
  index can carry it next to a sort key and a count is answered from the index alone;
- ``due_at``, ``due_clock``, ``due_warned_percent``, ``due_breached``: a copy of the
  deadlines projection's row, written by triggers in the projection's own transaction
  (the projection keeps the newer-wins rule; the copy follows every insert, update and
  delete of ``case_deadlines``, and a case inserted after its deadline picks it up).

Existing rows are backfilled. The ALTER rewrites ``cases`` once (a generated column).

Revision ID: 9d4e2f7a1c3b
Revises: 5c1e2a9d7b40
Create Date: 2026-11-28 09:30:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '9d4e2f7a1c3b'
down_revision: str | None = '5c1e2a9d7b40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COPY_DEADLINE = """
CREATE FUNCTION dispatch.case_deadline_onto_case() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE dispatch.cases
       SET due_at = NULL, due_clock = NULL, due_warned_percent = NULL, due_breached = NULL
     WHERE id = OLD.case_id AND due_at IS NOT NULL;
    RETURN NULL;
  END IF;
  UPDATE dispatch.cases
     SET due_at = NEW.due_at, due_clock = NEW.clock,
         due_warned_percent = NEW.warned_percent, due_breached = NEW.breached
   WHERE id = NEW.case_id
     AND (due_at, due_clock, due_warned_percent, due_breached)
         IS DISTINCT FROM (NEW.due_at, NEW.clock, NEW.warned_percent, NEW.breached);
  RETURN NULL;
END
$$
"""

TAKE_DEADLINE = """
CREATE FUNCTION dispatch.case_takes_its_deadline() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  SELECT d.due_at, d.clock, d.warned_percent, d.breached
    INTO NEW.due_at, NEW.due_clock, NEW.due_warned_percent, NEW.due_breached
    FROM dispatch.case_deadlines d
   WHERE d.case_id = NEW.id;
  RETURN NEW;
END
$$
"""


def upgrade() -> None:
    op.execute(
        'ALTER TABLE dispatch.cases'
        ' ADD COLUMN area_code varchar(32)'
        ' GENERATED ALWAYS AS (coalesce(grid_code, community_code)) STORED,'
        ' ADD COLUMN due_at timestamptz,'
        ' ADD COLUMN due_clock varchar(16),'
        ' ADD COLUMN due_warned_percent integer,'
        ' ADD COLUMN due_breached boolean'
    )
    op.execute(
        'UPDATE dispatch.cases c'
        ' SET due_at = d.due_at, due_clock = d.clock,'
        ' due_warned_percent = d.warned_percent, due_breached = d.breached'
        ' FROM dispatch.case_deadlines d WHERE d.case_id = c.id'
    )
    op.execute(COPY_DEADLINE)
    op.execute(
        'CREATE TRIGGER case_deadline_onto_case'
        ' AFTER INSERT OR UPDATE OR DELETE ON dispatch.case_deadlines'
        ' FOR EACH ROW EXECUTE FUNCTION dispatch.case_deadline_onto_case()'
    )
    op.execute(TAKE_DEADLINE)
    op.execute(
        'CREATE TRIGGER case_takes_its_deadline BEFORE INSERT ON dispatch.cases'
        ' FOR EACH ROW EXECUTE FUNCTION dispatch.case_takes_its_deadline()'
    )
    # The area prefix with each sort key (a station's or a grid's list), the deadline
    # with what the scope and the queues filter on (counts answered from the index).
    op.drop_index('ix_cases_area_pattern', table_name='cases', schema='dispatch')
    op.drop_index('ix_cases_status_reported_at', table_name='cases', schema='dispatch')
    op.execute(
        'CREATE INDEX ix_cases_area_reported_at ON dispatch.cases'
        ' (area_code text_pattern_ops, reported_at, id) INCLUDE (status)'
    )
    op.execute(
        'CREATE INDEX ix_cases_area_due_at ON dispatch.cases'
        ' (area_code text_pattern_ops, due_at, id) INCLUDE (status)'
    )
    op.execute(
        'CREATE INDEX ix_cases_due_at_id ON dispatch.cases (due_at, id)'
        ' INCLUDE (area_code, status, due_breached, due_warned_percent)'
    )
    op.execute(
        'CREATE INDEX ix_cases_status_reported_at ON dispatch.cases'
        ' (status, reported_at, id) INCLUDE (area_code)'
    )


def downgrade() -> None:
    op.drop_index('ix_cases_status_reported_at', table_name='cases', schema='dispatch')
    op.drop_index('ix_cases_due_at_id', table_name='cases', schema='dispatch')
    op.drop_index('ix_cases_area_due_at', table_name='cases', schema='dispatch')
    op.drop_index('ix_cases_area_reported_at', table_name='cases', schema='dispatch')
    op.execute('DROP TRIGGER case_takes_its_deadline ON dispatch.cases')
    op.execute('DROP FUNCTION dispatch.case_takes_its_deadline()')
    op.execute('DROP TRIGGER case_deadline_onto_case ON dispatch.case_deadlines')
    op.execute('DROP FUNCTION dispatch.case_deadline_onto_case()')
    op.execute(
        'ALTER TABLE dispatch.cases DROP COLUMN area_code, DROP COLUMN due_at,'
        ' DROP COLUMN due_clock, DROP COLUMN due_warned_percent, DROP COLUMN due_breached'
    )
    op.create_index(
        'ix_cases_status_reported_at', 'cases', ['status', 'reported_at', 'id'],
        unique=False, schema='dispatch',
    )
    op.execute(
        'CREATE INDEX ix_cases_area_pattern ON dispatch.cases'
        ' (coalesce(grid_code, community_code) text_pattern_ops)'
    )
