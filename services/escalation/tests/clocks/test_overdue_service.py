"""The overdue list narrowed to one kind of clock: the kind is chosen before the limit."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalation.clocks import service
from escalation.clocks.models import CaseClock
from gridcase_events import envelope
from gridcase_events.kit.db import create_engine

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def overdue_clock(kind: str, minutes_late: int) -> CaseClock:
    due = NOW - timedelta(minutes=minutes_late)
    return CaseClock(
        case_id=envelope.new_id(),
        tracking_no="GC-20261123-OVER01",
        kind=kind,
        generation=1,
        status="running",
        started_at=due - timedelta(hours=2),
        due_at=due,
        limit_amount=2,
        limit_unit="hours",
        priority="normal",
        grid_code="510302001001001",
        district_code="510302",
        correlation_id="corr-overdue",
        updated_at=due,
    )


@pytest.fixture
async def session(fresh_database: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(fresh_database, pool_size=1)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as s:
            yield s
    finally:
        await engine.dispose()


async def test_a_kind_is_found_behind_more_overdue_clocks_of_another_kind_than_the_limit(
    session: AsyncSession,
) -> None:
    # Five sign-for clocks overdue longer (so first by deadline) than the one ownership clock.
    session.add_all([overdue_clock("sign_for", 60 + i) for i in range(5)])
    buck_passing = overdue_clock("ownership", 10)
    session.add(buck_passing)
    await session.commit()

    found = await service.overdue(
        session,
        now=NOW,
        area_prefix="510302",
        department_code=None,
        district="510302",
        kind="ownership",
        limit=3,
    )
    every = await service.overdue(
        session, now=NOW, area_prefix="510302", department_code=None, kind=None, limit=3
    )

    assert [(c.case_id, c.kind) for c in found] == [(buck_passing.case_id, "ownership")]
    assert [c.kind for c in every] == ["sign_for"] * 3
