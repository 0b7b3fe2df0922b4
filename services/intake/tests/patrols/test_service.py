"""Compliance with the patrol practice (pure)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from intake.patrols import service
from intake.patrols.service import Span

SHANGHAI = ZoneInfo("Asia/Shanghai")
GRID = "510302001002003"


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_two_sessions_of_an_hour_meet_the_practice() -> None:
    days = service.compliance(
        [Span(GRID, utc(21, 1), utc(21, 2)), Span(GRID, utc(21, 6), utc(21, 7, 30))],
        tz=SHANGHAI,
        min_sessions=2,
        min_minutes=60,
    )
    assert [(d.sessions, d.minutes, d.qualifying_sessions, d.met) for d in days] == [
        (2, 150, 2, True)
    ]


def test_a_session_one_minute_short_does_not_count() -> None:
    days = service.compliance(
        [Span(GRID, utc(21, 1), utc(21, 2)), Span(GRID, utc(21, 6), utc(21, 6, 59))],
        tz=SHANGHAI,
        min_sessions=2,
        min_minutes=60,
    )
    assert (days[0].qualifying_sessions, days[0].met) == (1, False)


def test_a_session_counts_for_the_local_day_it_started() -> None:
    # 15:59 UTC is 23:59 in Shanghai on the 21st; 16:00 UTC is midnight of the 22nd.
    days = service.compliance(
        [Span(GRID, utc(21, 15, 59), utc(21, 17)), Span(GRID, utc(21, 16), utc(21, 17))],
        tz=SHANGHAI,
        min_sessions=2,
        min_minutes=60,
    )
    assert [(d.date, d.sessions, d.minutes) for d in days] == [
        (date(2026, 11, 21), 1, 61),
        (date(2026, 11, 22), 1, 60),
    ]


def test_local_bounds_cover_whole_local_days() -> None:
    lower, upper = service.local_bounds(date(2026, 11, 21), date(2026, 11, 21), SHANGHAI)
    assert lower == utc(20, 16)
    assert upper == utc(21, 16)
