"""household keys fold 号楼/幢/栋: recompute address_key with the shared normaliser

Household visits keyed their address with a normaliser of their own that did not fold
号楼/幢/栋 or drop punctuation, so "桂花路1号1号楼" and "桂花路１号 1栋" were two
households. The key is now ``gridcase_events.addresses.normalize_address`` (cut to the
column); this recomputes the stored keys. Running it again changes nothing.

Revision ID: a3c5e7f90b12
Revises: 7664486c9641
Create Date: 2026-11-28 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gridcase_events.addresses import normalize_address

revision: str = "a3c5e7f90b12"
down_revision: str | None = "7664486c9641"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY_LENGTH = 300
_BATCH = 1000


def upgrade() -> None:
    visits = sa.table(
        "household_visits",
        sa.column("id", sa.Uuid()),
        sa.column("address", sa.String()),
        sa.column("address_key", sa.String()),
        schema="intake",
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(visits.c.id, visits.c.address, visits.c.address_key))
    changed = [
        {"visit_id": visit_id, "key": key}
        for visit_id, address, stored in rows
        if (key := normalize_address(address)[:_KEY_LENGTH]) != stored
    ]
    update = (
        sa.update(visits)
        .where(visits.c.id == sa.bindparam("visit_id"))
        .values(address_key=sa.bindparam("key"))
    )
    for start in range(0, len(changed), _BATCH):
        connection.execute(update, changed[start : start + _BATCH])


def downgrade() -> None:
    # The old keys cannot be told from the new ones; the new ones serve both.
    pass
