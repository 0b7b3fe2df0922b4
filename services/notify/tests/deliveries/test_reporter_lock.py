"""A reporter learned: the case's lock, the reporter's row and the case's owed notices
in one call (``notify.reporter_learned``), and still ordered with planning the case's
progress: a call that waited for the lock sees what its holder committed."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from gridcase_events import envelope
from gridcase_events.kit.db import create_engine
from gridcase_events.testing import eventually

pytestmark = pytest.mark.integration

LEARNED = text(
    "SELECT event_id FROM notify.reporter_learned(:lock_key, :case_id, :report_id,"
    " 'GC-20261121-LOCK01', 'hotline', 'T-1', NULL, NULL, :at)"
)


async def test_a_reporter_learned_after_waiting_sees_the_progress_its_lock_holder_owed(
    client: Any, fresh_database: str
) -> None:
    case_id, event_id = envelope.new_id(), envelope.new_id()
    at = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    lock_key = f"reporters:{case_id}"
    engine = create_engine(fresh_database, pool_size=3)
    try:
        async with engine.connect() as holder, engine.connect() as learner:
            # planning the case's progress: the lock, the owed notice, not yet committed
            await holder.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": lock_key}
            )
            await holder.execute(
                text(
                    "INSERT INTO notify.owed_notices (case_id, event_id, event_type,"
                    " happened_at, envelope, recorded_at)"
                    " VALUES (:c, :e, 'case.accepted', :at, '{}', :at)"
                ),
                {"c": case_id, "e": event_id, "at": at},
            )
            learned = asyncio.create_task(
                learner.execute(
                    LEARNED,
                    {"lock_key": lock_key, "case_id": case_id, "report_id": case_id, "at": at},
                )
            )

            async def waiting() -> bool:
                async with engine.connect() as conn:
                    found = await conn.execute(
                        text(
                            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                            " AND NOT granted AND database = ("
                            " SELECT oid FROM pg_database WHERE datname = current_database())"
                        )
                    )
                    return found.first() is not None

            await eventually(waiting)  # the learner waits for the lock
            await holder.commit()

            owed = (await learned).scalars().all()
            assert owed == [event_id]  # read after the lock was granted, not before
            await learner.commit()
            reporters = await holder.execute(
                text("SELECT count(*) FROM notify.reporters WHERE case_id = :c"), {"c": case_id}
            )
            assert reporters.scalar_one() == 1
    finally:
        await engine.dispose()
