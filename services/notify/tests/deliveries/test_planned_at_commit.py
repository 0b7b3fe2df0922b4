"""An event's deliveries are decided and written when its transaction commits: a
consumer's run of events takes its recipients' locks in one statement, in a fixed
order, and writes its deliveries in one or two more, whatever the number of events —
and the burst limit still counts what a lock's previous holder committed."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gridcase_events import envelope, payloads
from gridcase_events.envelope import Envelope
from gridcase_events.kit.clock import ManualClock
from gridcase_events.kit.db import create_engine
from notify.config import NotifySettings
from notify.deliveries import planning

pytestmark = pytest.mark.integration


def assignment(assignee: str, clock: ManualClock) -> Envelope:
    case_id = envelope.new_id()
    payload = payloads.CaseAssigned(
        case_id=case_id,
        tracking_no=f"GC-20261121-{str(case_id)[-6:].upper()}",
        category_code="environment/garbage-overflow",
        priority="normal",
        channel="hotline",
        assignee_id=assignee,
        assignee_role="grid_member",
        post="A",
        reason="A post",
        grid_code="510302001001001",
        summary="垃圾满溢。",
        assigned_at=clock.now(),
    )
    return envelope.build(
        payload,
        subject=str(case_id),
        source="dispatch",
        tenant="510302",
        correlation_id=f"corr-{case_id}",
        time=clock.now(),
    )


@pytest.fixture
async def sessions(client: Any, fresh_database: str) -> AsyncIterator[Any]:
    engine = create_engine(fresh_database, pool_size=3)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


@pytest.fixture
def ran() -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split()))

    sa_event.listen(Engine, "before_cursor_execute", seen)
    yield statements
    sa_event.remove(Engine, "before_cursor_execute", seen)


def settings_of(database: str, **overrides: Any) -> NotifySettings:
    return NotifySettings(env="development", database_url=database, **overrides)


async def plan(
    session: AsyncSession, settings: NotifySettings, clock: ManualClock, *events: Envelope
) -> int:
    planned = 0
    for event in events:
        planned += await planning.plan_event(
            session=session, clock=clock, settings=settings, event=event, payload=event.payload()
        )
    return planned


async def planned_rows(session: AsyncSession, *events: Envelope) -> list[tuple[str, str, str]]:
    rows = await session.execute(
        text(
            "SELECT recipient_id, channel, status FROM notify.deliveries"
            " WHERE trigger_event_id = ANY(:ids) ORDER BY recipient_id, channel, status"
        ),
        {"ids": [e.id for e in events]},
    )
    return [(r, c, s) for r, c, s in rows]


async def test_a_transactions_assignments_are_locked_and_written_together_at_commit(
    sessions: Any, fresh_database: str, clock: ManualClock, ran: list[str]
) -> None:
    settings = settings_of(fresh_database)
    events = [assignment(f"gm{n}", clock) for n in range(4)]
    async with sessions() as session:
        assert await plan(session, settings, clock, *events) == 8  # an SMS and an item each
        written = [s for s in ran if "notify.deliveries" in s or "pg_advisory_xact_lock" in s]
        assert written == []  # nothing decided or written before the commit
        await session.commit()
    async with sessions() as session:
        rows = await planned_rows(session, *events)
    assert {(r, c) for r, c, _ in rows} == {
        (f"staff:gm{n}", c) for n in range(4) for c in ("sms", "inapp")
    }
    assert all(s != "skipped" and s != "digested" for _, _, s in rows)
    locks = [s for s in ran if "pg_advisory_xact_lock" in s]
    inserts = [s for s in ran if s.startswith("INSERT INTO notify.deliveries")]
    assert len(locks) == 1  # the four recipients' locks, and their preferences
    assert "notify.preferences" in locks[0]
    assert len(inserts) == 1  # eight rows, one statement


async def test_a_second_sms_to_one_recipient_in_a_transaction_counts_the_first(
    sessions: Any, fresh_database: str, clock: ManualClock
) -> None:
    settings = settings_of(fresh_database, sms_burst_limit=1)
    first, second, other = (assignment(a, clock) for a in ("gm1", "gm1", "gm2"))
    async with sessions() as session:
        await plan(session, settings, clock, first, second, other)
        await session.commit()
    async with sessions() as session:
        sms = {
            (e, r, s)
            for e in ("first", "second", "other")
            for r, c, s in await planned_rows(
                session, {"first": first, "second": second, "other": other}[e]
            )
            if c == "sms"
        }
        digests = await session.scalar(
            text("SELECT count(*) FROM notify.deliveries WHERE template = 'digest'")
        )
    assert ("first", "staff:gm1", "digested") not in sms
    assert ("second", "staff:gm1", "digested") in sms  # over the limit of one: folded
    assert ("other", "staff:gm2", "digested") not in sms
    assert digests == 1


async def test_a_run_waits_for_a_recipients_lock_and_counts_what_its_holder_committed(
    sessions: Any, fresh_database: str, clock: ManualClock
) -> None:
    settings = settings_of(fresh_database, sms_burst_limit=1)
    holder, waiting, other = (assignment(a, clock) for a in ("gm1", "gm1", "gm2"))
    async with sessions() as first, sessions() as second:
        # the holder planned (and locked gm1) in a transaction not committed yet
        payload = holder.payload()
        facts = planning.facts_of(holder.type, payload, timezone=settings.timezone)
        assert facts is not None
        assert await planning.plan_one(
            session=first,
            clock=clock,
            settings=settings,
            event=holder,
            facts=facts,
            recipient="staff:gm1",
            channel="sms",
            params=facts.params,
        )
        await plan(second, settings, clock, waiting, other)
        committing = asyncio.create_task(second.commit())
        await asyncio.sleep(0.3)
        assert not committing.done()  # waits for gm1's lock
        await first.commit()
        await committing
    async with sessions() as session:
        waited = {s for _, c, s in await planned_rows(session, waiting) if c == "sms"}
        along = {s for _, c, s in await planned_rows(session, other) if c == "sms"}
    # counted the holder's SMS, committed while it waited: folded (and its digest opened)
    assert "digested" in waited
    assert "digested" not in along


async def test_two_runs_planning_for_the_same_recipients_in_opposite_orders_both_commit(
    sessions: Any, fresh_database: str, clock: ManualClock
) -> None:
    settings = settings_of(fresh_database)
    a1, b1, b2, a2 = (assignment(a, clock) for a in ("gm1", "gm2", "gm2", "gm1"))
    async with sessions() as one, sessions() as two:
        await plan(one, settings, clock, a1)
        await plan(two, settings, clock, b2)
        # planned one by one with a lock each, these two would wait for each other
        await asyncio.wait_for(
            asyncio.gather(plan(one, settings, clock, b1), plan(two, settings, clock, a2)),
            timeout=5,
        )
        await asyncio.wait_for(asyncio.gather(one.commit(), two.commit()), timeout=5)
    async with sessions() as session:
        rows = await planned_rows(session, a1, b1, b2, a2)
    assert len([r for r in rows if r[1] == "sms"]) == 4
