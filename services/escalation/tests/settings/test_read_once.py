"""Policies, calendar days and areas' parents are read once per transaction (a case's
events start several clocks in one): a change made in that same transaction is seen
by the reads after it."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.calendar import repository as calendar_repository
from escalation.calendar import service as calendar_service
from escalation.config import EscalationSettings
from escalation.directory import repository as directory_repository
from escalation.policies import repository as policy_repository

CATEGORY = "environment/garbage-overflow"
AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in the district


@pytest.fixture
async def session(client: Any) -> AsyncIterator[AsyncSession]:
    """One transaction on the service's database, as a consumer run has (the app
    `client` started has migrated it)."""
    async with client.app.state.runtime.sessionmaker() as s, s.begin():
        yield s


async def resolution_due(session: AsyncSession, settings: EscalationSettings) -> datetime:
    due, _ = await calendar_service.deadline(
        session,
        settings,
        kind="resolution",
        category_code=CATEGORY,
        priority="normal",
        start=AT,
        district="510302",
    )
    return due


async def test_a_limit_changed_in_the_transaction_moves_the_next_deadline(
    session: AsyncSession, settings: EscalationSettings
) -> None:
    before = await resolution_due(session, settings)
    await policy_repository.upsert(
        session,
        [
            {
                "district_code": "510302",
                "category_code": CATEGORY,
                "priority": "normal",
                "clock": "resolution",
                "amount": 3,
                "unit": "hours",
                "working_hours": False,
                "end_of_day": False,
                "updated_at": AT,
                "updated_by": "admin",
            }
        ],
    )
    after = await resolution_due(session, settings)
    assert (before != after, after) == (True, datetime(2026, 11, 23, 4, 0, tzinfo=UTC))


async def test_a_holiday_added_in_the_transaction_counts_for_the_next_read(
    session: AsyncSession,
) -> None:
    assert date(2026, 11, 24) not in await calendar_repository.overrides(session, district="510302")
    await calendar_repository.upsert_days(
        session,
        [
            {
                "district_code": "510302",
                "day": date(2026, 11, 24),
                "working": False,
                "name": "本地假日",
                "updated_at": AT,
                "updated_by": "admin",
            }
        ],
    )
    days = await calendar_repository.overrides(session, district="510302")
    assert days[date(2026, 11, 24)] is False


async def test_an_area_added_in_the_transaction_is_its_childrens_parent(
    session: AsyncSession,
) -> None:
    codes = ["510302001001001", "510302001001"]
    assert await directory_repository.parents(session, codes) == {}
    await directory_repository.upsert_area(
        session,
        code="510302001001001",
        name="一网格",
        level="grid",
        parent_code="510302001001",
        at=AT,
    )
    assert await directory_repository.parents(session, codes) == {"510302001001001": "510302001001"}


async def test_the_days_read_with_the_limits_are_the_districts_over_the_citys(
    session: AsyncSession, settings: EscalationSettings
) -> None:
    """A deadline reads the limits and the calendar's days in one statement: the
    district's own day wins over the city's, and the days kept are the calendar's."""
    await calendar_repository.upsert_days(
        session,
        [
            {
                "district_code": district,
                "day": day,
                "working": working,
                "name": "调休" if working else "本地假日",
                "updated_at": AT,
                "updated_by": "admin",
            }
            for district, day, working in [
                ("", date(2026, 11, 24), False),
                ("510302", date(2026, 11, 24), True),
                ("", date(2026, 11, 25), False),
            ]
        ],
    )
    await resolution_due(session, settings)  # the limits, and with them the days
    days = await calendar_repository.overrides(session, district="510302")
    assert {day: days[day] for day in (date(2026, 11, 24), date(2026, 11, 25))} == {
        date(2026, 11, 24): True,
        date(2026, 11, 25): False,
    }
