"""The deadlines projection inside a consumer run: the clock events of one transaction
(as the kit's runner applies a run: one session, a flush between handlers) are written
when it commits, in their order, in one call; the touched cases' clocks are read once and
their deadlines written once. Against the real database."""

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from dispatch.deadlines import service
from dispatch.deadlines.models import CaseDeadline, SlaClock
from gridcase_events import payloads

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-21T01:00:00+00:00")


@pytest.fixture
async def engine(client: Any, fresh_database: str) -> AsyncIterator[AsyncEngine]:
    """The database the real service migrated."""
    e = create_async_engine(fresh_database)
    yield e
    await e.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements sent to the database while the test runs (their first words)."""
    sent: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split()[:4]))

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    yield sent
    event.remove(engine.sync_engine, "before_cursor_execute", seen)


def started(case_id: UUID, clock: str, *, minutes: int, generation: int = 1, **kw: Any) -> Any:
    return payloads.SlaClockStarted(
        case_id=case_id,
        tracking_no="GC-T-1",
        clock=clock,
        generation=generation,
        started_at=kw.pop("started_at", T0),
        due_at=T0 + timedelta(minutes=minutes),
        changed_at=kw.pop("changed_at", T0),
        priority="normal",
        **kw,
    )


async def run(sessions: async_sessionmaker[AsyncSession], *events: Any) -> None:
    """One transaction over the events, as the runner applies a run of them."""
    async with sessions() as session, session.begin():
        for p in events:
            if isinstance(p, payloads.SlaClockStarted):
                await service.clock_started(session, p)
            elif isinstance(p, payloads.SlaWarning):
                await service.warned(session, p)
            else:
                await service.stopped(session, case_id=p[0], clocks=p[1], at=p[2])
            await session.flush()
            session.expunge_all()


async def deadline(sessions: async_sessionmaker[AsyncSession], case_id: UUID) -> Any:
    async with sessions() as session:
        row = await session.get(CaseDeadline, case_id)
        return None if row is None else (row.clock, row.due_at, row.warned_percent)


async def test_an_assignments_two_clocks_read_and_write_the_deadline_once(
    sessions: async_sessionmaker[AsyncSession], statements: list[str]
) -> None:
    one, two = uuid4(), uuid4()
    statements.clear()
    await run(
        sessions,
        started(one, "resolution", minutes=60),
        started(one, "sign_for", minutes=30),
        started(two, "resolution", minutes=60),
        started(two, "sign_for", minutes=90),
    )

    clock_writes = [s for s in statements if s.startswith("INSERT INTO dispatch.sla_clocks")]
    reads = [s for s in statements if s.startswith("SELECT") and "sla_clocks" in s]
    deadline_writes = [s for s in statements if "case_deadlines" in s]
    # once for the run: the four starts (sent at once), the clocks, the deadlines
    assert (len(clock_writes), len(reads), len(deadline_writes)) == (1, 1, 1), statements
    assert await deadline(sessions, one) == ("sign_for", T0 + timedelta(minutes=30), 0)
    assert await deadline(sessions, two) == ("resolution", T0 + timedelta(minutes=60), 0)


async def test_a_runs_clocks_and_deadlines_are_each_one_execution_of_one_statement(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Not an executemany (which PostgreSQL runs once a row): one insert from arrays."""
    sent: list[tuple[str, bool]] = []

    def seen(conn: Any, cursor: Any, statement: str, _p: Any, _c: Any, many: bool) -> None:
        sent.append((" ".join(statement.split()[:3]), many))

    cases = [uuid4() for _ in range(5)]
    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        await run(
            sessions,
            *(
                started(c, clock, minutes=minutes)
                for c in cases
                for clock, minutes in (("resolution", 60), ("sign_for", 30))
            ),
            started(cases[0], "sign_for", minutes=20, changed_at=T0 + timedelta(seconds=1)),
        )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)

    writes = [s for s in sent if s[0].startswith("INSERT")]
    # the ten starts in one; the first case's sign_for moved again: a second, after it
    assert writes == [
        ("INSERT INTO dispatch.sla_clocks", False),
        ("INSERT INTO dispatch.sla_clocks", False),
        ("INSERT INTO dispatch.case_deadlines", False),
    ]
    assert await deadline(sessions, cases[0]) == ("sign_for", T0 + timedelta(minutes=20), 0)
    for c in cases[1:]:
        assert await deadline(sessions, c) == ("sign_for", T0 + timedelta(minutes=30), 0)


async def test_a_redelivered_or_older_start_changes_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    case_id = uuid4()
    newer = started(case_id, "resolution", minutes=60, generation=2)
    warning = payloads.SlaWarning(
        case_id=case_id,
        tracking_no="GC-T-1",
        clock="resolution",
        generation=2,
        started_at=T0,
        due_at=T0 + timedelta(minutes=60),
        fired_at=T0,
        late_seconds=0,
        percent=50,
        priority="normal",
    )
    await run(sessions, newer, warning)
    # generation 1 arrives late, generation 2 again (a redelivery), in one run
    await run(sessions, started(case_id, "resolution", minutes=5), newer)
    assert await deadline(sessions, case_id) == ("resolution", T0 + timedelta(minutes=60), 50)

    # generation 2's deadline moved: a later change of the same generation wins
    moved = started(case_id, "resolution", minutes=120, generation=2, changed_at=T0 + timedelta(1))
    await run(sessions, moved, newer)
    assert await deadline(sessions, case_id) == ("resolution", T0 + timedelta(minutes=120), 50)


async def test_a_stop_in_the_same_run_as_the_start_leaves_the_other_clock(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    case_id = uuid4()
    accepted_at = T0 + timedelta(minutes=1)
    await run(
        sessions,
        (case_id, ("sign_for", "ownership"), accepted_at),  # overtakes the start
        started(case_id, "sign_for", minutes=30),
        started(case_id, "resolution", minutes=600),
    )
    assert await deadline(sessions, case_id) == ("resolution", T0 + timedelta(minutes=600), 0)

    await run(sessions, (case_id, ("resolution",), accepted_at))
    assert await deadline(sessions, case_id) is None


async def test_a_failed_run_leaves_no_clock_nor_deadline(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    case_id = uuid4()

    async def failing_run() -> None:
        async with sessions() as session, session.begin():
            await service.clock_started(session, started(case_id, "resolution", minutes=60))
            raise RuntimeError("the next handler failed")

    with pytest.raises(RuntimeError):
        await failing_run()

    async with sessions() as session:
        assert (
            await session.scalars(select(SlaClock).where(SlaClock.case_id == case_id))
        ).all() == []
    assert await deadline(sessions, case_id) is None

    # retried one by one, as the runner falls back: each event commits with its deadline
    await run(sessions, started(case_id, "resolution", minutes=60))
    assert await deadline(sessions, case_id) == ("resolution", T0 + timedelta(minutes=60), 0)
    await run(sessions, started(case_id, "sign_for", minutes=30))
    assert await deadline(sessions, case_id) == ("sign_for", T0 + timedelta(minutes=30), 0)


async def test_a_session_without_a_transaction_yet_writes_at_its_commit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    case_id = uuid4()
    async with sessions() as session:
        await service.clock_started(session, started(case_id, "resolution", minutes=60))
        await session.commit()
    assert await deadline(sessions, case_id) == ("resolution", T0 + timedelta(minutes=60), 0)
