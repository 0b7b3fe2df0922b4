"""`on_commit` callbacks run once the transaction commits, and never on a rollback; what
`held_until_commit` keeps is written once at the commit and dropped on a rollback."""

from typing import Any

import pytest
from sqlalchemy import text

from gridcase_events.kit import db

pytestmark = pytest.mark.integration


async def test_a_callback_runs_after_the_commit_once(store: Any) -> None:
    calls: list[str] = []
    async with store.sessionmaker() as session:
        async with session.begin():
            db.on_commit(session, lambda: calls.append("committed"))
            await session.execute(text("SELECT 1"))
            assert calls == []
        assert calls == ["committed"]
        async with session.begin():  # a later transaction of the same session
            await session.execute(text("SELECT 1"))
    assert calls == ["committed"]


async def test_a_rolled_back_transaction_runs_no_callback(store: Any) -> None:
    calls: list[str] = []
    async with store.sessionmaker() as session:
        await session.begin()
        db.on_commit(session, lambda: calls.append("committed"))
        await session.execute(text("SELECT 1"))
        await session.rollback()  # as when the handler raises
        async with session.begin():  # the next transaction commits
            await session.execute(text("SELECT 1"))
    assert calls == []


async def test_a_committed_savepoint_waits_for_the_outer_commit(store: Any) -> None:
    calls: list[str] = []
    async with store.sessionmaker() as session:
        await session.begin()
        async with session.begin_nested():
            db.on_commit(session, lambda: calls.append("committed"))
        assert calls == []
        await session.commit()
    assert calls == ["committed"]


async def test_what_a_transaction_holds_is_written_once_at_its_commit(store: Any) -> None:
    written: list[list[int]] = []

    def write(session: Any, held: list[int]) -> None:
        # Runs inside the committing transaction: its statements commit with it.
        session.execute(text("SELECT 1"))
        written.append(list(held))

    async with store.sessionmaker() as session:
        async with session.begin():
            db.held_until_commit(session, "test.held", list, write).append(1)
            db.held_until_commit(session, "test.held", list, write).append(2)
            assert written == []
        assert written == [[1, 2]]  # one value for the transaction, one write
        async with session.begin():  # the next transaction starts anew
            db.held_until_commit(session, "test.held", list, write).append(3)
    assert written == [[1, 2], [3]]


async def test_what_a_rolled_back_transaction_held_is_dropped(store: Any) -> None:
    written: list[list[int]] = []
    async with store.sessionmaker() as session:
        await session.begin()
        db.held_until_commit(session, "test.held", list, lambda _s, h: written.append(h)).append(1)
        await session.rollback()  # as when the handler raises
        async with session.begin():
            held = db.held_until_commit(session, "test.held", list, lambda _s, h: written.append(h))
            assert held == []
            held.append(2)
    assert written == [[2]]


async def test_held_before_any_statement_begins_the_transaction(store: Any) -> None:
    written: list[list[int]] = []
    async with store.sessionmaker() as session:
        # No transaction yet (as a handler's first call may be): it is begun, so the
        # commit that follows writes what was held.
        db.held_until_commit(session, "test.held", list, lambda _s, h: written.append(h)).append(1)
        assert session.in_transaction()
        await session.commit()
    assert written == [[1]]
