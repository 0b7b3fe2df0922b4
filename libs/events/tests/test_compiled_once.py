"""The kit's hot statements compile once: SQLAlchemy's compiled cache finds them again
whatever the number of events (a multi-row VALUES would be a new statement shape, and a
new compilation, per row count)."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats

from gridcase_events import inbox, outbox

pytestmark = pytest.mark.integration


@pytest.fixture
def compiled(store: Any) -> Iterator[list[str]]:
    """The statements the store's engine compiled while the test ran: cache misses, and
    statements it could not cache."""
    misses: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: Any) -> None:
        if context is not None and context.cache_hit is not CacheStats.CACHE_HIT:
            misses.append(" ".join(statement.split())[:60])

    engine = store.engine.sync_engine
    event.listen(engine, "after_cursor_execute", seen)
    yield misses
    event.remove(engine, "after_cursor_execute", seen)


async def test_the_inbox_compiles_once_whatever_the_number_of_events(
    store: Any, compiled: list[str], make_event: Any
) -> None:
    ids = [make_event(key=f"case-{i}").id for i in range(30)]
    async with store.sessionmaker() as session, session.begin():
        fresh = [
            await inbox.record_many(
                session,
                store.inbox,
                consumer="test",
                events=[
                    (i, "case.reported") for i in ids[n * (n + 1) // 2 : (n + 1) * (n + 2) // 2]
                ],
            )
            for n in range(7)  # 1, 2, 3 … 7 events
        ]
        again = await inbox.record_many(
            session, store.inbox, consumer="test", events=[(ids[0], "case.reported")]
        )
        single = [
            await inbox.record(
                session, store.inbox, consumer="one", event_id=i, event_type="case.reported"
            )
            for i in ids[:3]
        ]
    assert [len(f) for f in fresh] == [1, 2, 3, 4, 5, 6, 7]
    assert set().union(*fresh) == set(ids[:28])
    assert again == set(), "a duplicate is not fresh"
    assert single == [True, True, True]
    inserts = [m for m in compiled if m.startswith("INSERT")]
    assert len(inserts) == 2, inserts


async def test_the_outbox_compiles_once_per_statement(
    store: Any, compiled: list[str], make_event: Any
) -> None:
    async with store.sessionmaker() as session, session.begin():
        for i in range(5):
            await outbox.enqueue(session, store.outbox, make_event(key=f"case-{i}"))
        for size in (1, 2, 3):
            rows = [outbox.outbox_row(make_event(key=f"case-b{size}-{n}")) for n in range(size)]
            await outbox.enqueue_rows(session, store.outbox, rows)
    inserts = [m for m in compiled if m.startswith("INSERT")]
    assert len(inserts) <= 2, inserts


async def test_the_relay_claims_and_marks_in_one_statement_compiled_once(
    store: Any, compiled: list[str], make_event: Any, producer: Any, namespace: str
) -> None:
    relay = outbox.OutboxRelay(
        service="intake",
        table=store.outbox,
        sessionmaker=store.sessionmaker,
        producer=producer,
        namespace=namespace,
    )
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split())[:30])

    sync = store.engine.sync_engine
    event.listen(sync, "after_cursor_execute", seen)
    try:
        published = []
        for size in (1, 3, 2):
            async with store.sessionmaker() as session, session.begin():
                for n in range(size):
                    await outbox.enqueue(session, store.outbox, make_event(key=f"case-{size}-{n}"))
            statements.clear()
            published.append(await relay.run_once())
            assert [s for s in statements if not s.startswith("INSERT")] == [
                "WITH batch AS ( SELECT id, key"
            ], "one statement per batch, the claim that marks"
    finally:
        event.remove(sync, "after_cursor_execute", seen)
    assert published == [1, 3, 2]
    claims = [m for m in compiled if m.startswith("WITH batch")]
    assert len(claims) <= 1, claims
