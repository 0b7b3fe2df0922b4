"""`on_commit` callbacks run once the transaction commits, and never on a rollback."""

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
