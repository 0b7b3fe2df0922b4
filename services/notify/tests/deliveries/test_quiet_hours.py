"""When quiet hours hold an SMS, and until when (pure logic)."""

from datetime import UTC, datetime

import pytest

from notify.deliveries.quiet_hours import quiet_until

ZONE = "Asia/Shanghai"  # UTC+8


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (utc(21, 15, 30), utc(21, 23)),  # 23:30 local → 07:00 the next morning
        (utc(21, 14), utc(21, 23)),  # 22:00 local, the first quiet minute
        (utc(21, 17), utc(21, 23)),  # 01:00 local, after midnight → 07:00 that morning
        (utc(21, 22, 59), utc(21, 23)),  # 06:59 local
    ],
)
def test_inside_quiet_hours_sms_waits_until_seven_local(now: datetime, until: datetime) -> None:
    assert quiet_until(now, "22:00-07:00", ZONE) == until


@pytest.mark.parametrize("now", [utc(21, 23), utc(21, 2), utc(21, 13, 59)])  # 07:00, 10:00, 21:59
def test_outside_quiet_hours_nothing_waits(now: datetime) -> None:
    assert quiet_until(now, "22:00-07:00", ZONE) is None


def test_a_window_within_one_day() -> None:
    assert quiet_until(utc(21, 4), "12:00-14:00", ZONE) == utc(21, 6)  # 12:00 → 14:00 local
    assert quiet_until(utc(21, 6), "12:00-14:00", ZONE) is None


@pytest.mark.parametrize("hours", ["", None, "07:00-07:00"])
def test_no_quiet_hours(hours: str | None) -> None:
    assert quiet_until(utc(21, 15, 30), hours, ZONE) is None
