"""Compliance with the patrol practice (pure parts; the counting itself is the
database's, tested in test_endpoints)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from intake.patrols import service

SHANGHAI = ZoneInfo("Asia/Shanghai")
GRID = "510302001002003"


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_local_bounds_cover_whole_local_days() -> None:
    lower, upper = service.local_bounds(date(2026, 11, 21), date(2026, 11, 21), SHANGHAI)
    assert lower == utc(20, 16)
    assert upper == utc(21, 16)
