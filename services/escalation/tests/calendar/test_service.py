"""Working days and deadline arithmetic (限时办结) on the official Chinese calendar."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from escalation.calendar.service import WorkCalendar, WorkingHours

TZ = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS = WorkingHours(start=time(8, 30), end=time(17, 30))
PLAIN = WorkCalendar(timezone=TZ)
OFFICE = WorkCalendar(timezone=TZ, hours=OFFICE_HOURS)


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    """A local time in the calendar's timezone."""
    return datetime(year, month, day, hour, minute, second, us, tzinfo=TZ)


@pytest.fixture(scope="module", autouse=True)
def official_calendar_is_as_assumed() -> None:
    """The expected values below rest on these facts of the pinned 2026 data."""
    assert chinese_calendar.is_workday(date(2026, 2, 14))  # Sat, make-up day
    assert not any(chinese_calendar.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert chinese_calendar.is_workday(date(2026, 2, 24))
    assert chinese_calendar.is_workday(date(2026, 2, 28))  # Sat, make-up day
    assert not any(chinese_calendar.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # Sat, make-up day
    assert not chinese_calendar.is_workday(date(2026, 10, 11))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 8))


# ------------------------------------------------------------------ is_working_day


def test_an_ordinary_weekday_is_a_working_day() -> None:
    assert PLAIN.is_working_day(date(2026, 11, 20))


def test_an_ordinary_weekend_day_is_not_a_working_day() -> None:
    assert not PLAIN.is_working_day(date(2026, 11, 21))


def test_a_weekday_in_the_spring_festival_holiday_is_not_a_working_day() -> None:
    assert not PLAIN.is_working_day(date(2026, 2, 16))


def test_a_make_up_saturday_is_a_working_day() -> None:
    assert PLAIN.is_working_day(date(2026, 2, 14))


def test_a_holiday_override_makes_a_weekday_a_non_working_day() -> None:
    calendar = WorkCalendar(timezone=TZ, overrides={date(2026, 11, 23): False})
    assert not calendar.is_working_day(date(2026, 11, 23))


def test_a_make_up_override_makes_a_saturday_a_working_day() -> None:
    calendar = WorkCalendar(timezone=TZ, overrides={date(2026, 11, 21): True})
    assert calendar.is_working_day(date(2026, 11, 21))


def test_an_override_beats_an_official_make_up_day() -> None:
    calendar = WorkCalendar(timezone=TZ, overrides={date(2026, 2, 14): False})
    assert not calendar.is_working_day(date(2026, 2, 14))


def test_an_override_beats_an_official_holiday() -> None:
    calendar = WorkCalendar(timezone=TZ, overrides={date(2026, 10, 2): True})
    assert calendar.is_working_day(date(2026, 10, 2))


def test_a_weekday_in_a_year_without_official_data_is_a_working_day() -> None:
    assert PLAIN.is_working_day(date(2027, 1, 8))


def test_a_weekend_day_in_a_year_without_official_data_is_not_a_working_day() -> None:
    assert not PLAIN.is_working_day(date(2027, 1, 9))


def test_an_override_applies_in_a_year_without_official_data() -> None:
    calendar = WorkCalendar(timezone=TZ, overrides={date(2027, 1, 8): False})
    assert not calendar.is_working_day(date(2027, 1, 8))


# ------------------------------------------------------------------ natural units


def test_the_deadline_is_an_aware_utc_datetime() -> None:
    result = PLAIN.deadline(at(2026, 11, 23, 9), 2, "hours")
    assert result.tzinfo is UTC
    assert result == datetime(2026, 11, 23, 3, tzinfo=UTC)


def test_minutes_add_plainly_across_midnight() -> None:
    result = PLAIN.deadline(at(2026, 11, 23, 23, 30), 45, "minutes")
    assert result.astimezone(TZ) == at(2026, 11, 24, 0, 15)


def test_hours_add_plainly_across_a_weekend() -> None:
    result = PLAIN.deadline(at(2026, 11, 20, 20), 48, "hours")
    assert result.astimezone(TZ) == at(2026, 11, 22, 20)


def test_hours_ignore_working_hours_unless_asked() -> None:
    result = OFFICE.deadline(at(2026, 11, 20, 16, 30), 2, "hours")
    assert result.astimezone(TZ) == at(2026, 11, 20, 18, 30)


def test_days_add_plainly_across_a_weekend() -> None:
    result = PLAIN.deadline(at(2026, 11, 20, 10), 3, "days")
    assert result.astimezone(TZ) == at(2026, 11, 23, 10)


def test_days_add_plainly_into_a_holiday() -> None:
    result = PLAIN.deadline(at(2026, 2, 13, 10), 2, "days")
    assert result.astimezone(TZ) == at(2026, 2, 15, 10)


def test_zero_minutes_returns_the_start() -> None:
    result = PLAIN.deadline(at(2026, 11, 23, 9, 15), 0, "minutes")
    assert result.astimezone(TZ) == at(2026, 11, 23, 9, 15)


def test_end_of_day_with_days_is_the_last_microsecond_of_the_local_day() -> None:
    result = PLAIN.deadline(at(2026, 11, 20, 10), 3, "days", end_of_day=True)
    assert result.astimezone(TZ) == at(2026, 11, 23, 23, 59, 59, 999999)


def test_end_of_day_with_days_is_closing_time_on_a_calendar_with_hours() -> None:
    result = OFFICE.deadline(at(2026, 11, 20, 10), 3, "days", end_of_day=True)
    assert result.astimezone(TZ) == at(2026, 11, 23, 17, 30)


def test_end_of_day_does_not_move_an_hours_deadline() -> None:
    result = PLAIN.deadline(at(2026, 11, 23, 9), 2, "hours", end_of_day=True)
    assert result.astimezone(TZ) == at(2026, 11, 23, 11)


# ------------------------------------------------------------------ working days


def test_one_working_day_from_friday_is_monday_at_the_same_time() -> None:
    result = PLAIN.deadline(at(2026, 11, 20, 10), 1, "working_days")
    assert result.astimezone(TZ) == at(2026, 11, 23, 10)


def test_one_working_day_before_the_spring_festival_is_the_make_up_saturday() -> None:
    result = PLAIN.deadline(at(2026, 2, 13, 10), 1, "working_days")
    assert result.astimezone(TZ) == at(2026, 2, 14, 10)


def test_one_working_day_from_the_make_up_saturday_skips_the_spring_festival() -> None:
    result = PLAIN.deadline(at(2026, 2, 14, 10), 1, "working_days")
    assert result.astimezone(TZ) == at(2026, 2, 24, 10)


def test_seven_working_days_across_national_day_count_only_working_days() -> None:
    # Counted: 09-29, 09-30, 10-08, 10-09, 10-10 (make-up Sat), 10-12, 10-13.
    result = PLAIN.deadline(at(2026, 9, 28, 10), 7, "working_days")
    assert result.astimezone(TZ) == at(2026, 10, 13, 10)


def test_a_start_on_a_weekend_counts_from_the_start_of_the_next_working_day() -> None:
    result = PLAIN.deadline(at(2026, 11, 21, 10), 1, "working_days")
    assert result.astimezone(TZ) == at(2026, 11, 24, 0, 0)


def test_a_start_on_a_weekend_counts_from_opening_time_on_a_calendar_with_hours() -> None:
    result = OFFICE.deadline(at(2026, 11, 21, 10), 1, "working_days")
    assert result.astimezone(TZ) == at(2026, 11, 24, 8, 30)


def test_a_start_in_a_holiday_counts_from_the_first_working_day_after_it() -> None:
    result = PLAIN.deadline(at(2026, 10, 3, 15), 1, "working_days")
    assert result.astimezone(TZ) == at(2026, 10, 9, 0, 0)


def test_working_days_are_counted_on_the_local_date_of_a_utc_start() -> None:
    # Fri 2026-11-20 20:00 UTC is Sat 2026-11-21 04:00 in Shanghai: a weekend start.
    result = PLAIN.deadline(datetime(2026, 11, 20, 20, tzinfo=UTC), 1, "working_days")
    assert result.astimezone(TZ) == at(2026, 11, 24, 0, 0)


def test_zero_working_days_on_a_working_day_returns_the_start() -> None:
    result = PLAIN.deadline(at(2026, 11, 23, 14, 45), 0, "working_days")
    assert result.astimezone(TZ) == at(2026, 11, 23, 14, 45)


def test_a_holiday_override_moves_a_working_day_deadline() -> None:
    calendar = WorkCalendar(timezone=TZ, overrides={date(2026, 11, 23): False})
    result = calendar.deadline(at(2026, 11, 20, 10), 1, "working_days")
    assert result.astimezone(TZ) == at(2026, 11, 24, 10)


def test_a_make_up_override_brings_a_working_day_deadline_forward() -> None:
    calendar = WorkCalendar(timezone=TZ, overrides={date(2026, 11, 21): True})
    result = calendar.deadline(at(2026, 11, 20, 10), 1, "working_days")
    assert result.astimezone(TZ) == at(2026, 11, 21, 10)


def test_working_days_fall_back_to_monday_to_friday_in_2027() -> None:
    result = PLAIN.deadline(at(2027, 1, 8, 10), 1, "working_days")
    assert result.astimezone(TZ) == at(2027, 1, 11, 10)


def test_end_of_day_with_working_days_is_the_last_microsecond_of_the_local_day() -> None:
    result = PLAIN.deadline(at(2026, 11, 20, 10), 1, "working_days", end_of_day=True)
    assert result.astimezone(TZ) == at(2026, 11, 23, 23, 59, 59, 999999)


def test_end_of_day_with_working_days_is_closing_time_on_a_calendar_with_hours() -> None:
    result = OFFICE.deadline(at(2026, 2, 13, 10), 1, "working_days", end_of_day=True)
    assert result.astimezone(TZ) == at(2026, 2, 14, 17, 30)


# ------------------------------------------------------------------ working-hours clocks


def test_working_time_inside_hours_adds_plainly() -> None:
    result = OFFICE.deadline(at(2026, 11, 23, 9), 2, "hours", working_hours=True)
    assert result.astimezone(TZ) == at(2026, 11, 23, 11)


def test_working_time_ending_exactly_at_closing_time_ends_at_closing_time() -> None:
    result = OFFICE.deadline(at(2026, 11, 23, 16, 30), 60, "minutes", working_hours=True)
    assert result.astimezone(TZ) == at(2026, 11, 23, 17, 30)


def test_working_time_spills_over_friday_closing_into_monday() -> None:
    result = OFFICE.deadline(at(2026, 11, 20, 16, 30), 2, "hours", working_hours=True)
    assert result.astimezone(TZ) == at(2026, 11, 23, 9, 30)


def test_working_time_before_opening_starts_counting_at_opening() -> None:
    result = OFFICE.deadline(at(2026, 11, 23, 7), 30, "minutes", working_hours=True)
    assert result.astimezone(TZ) == at(2026, 11, 23, 9, 0)


def test_working_time_after_closing_starts_counting_at_next_opening() -> None:
    result = OFFICE.deadline(at(2026, 11, 23, 18), 1, "hours", working_hours=True)
    assert result.astimezone(TZ) == at(2026, 11, 24, 9, 30)


def test_working_time_on_a_weekend_starts_counting_on_monday_opening() -> None:
    result = OFFICE.deadline(at(2026, 11, 21, 10), 1, "hours", working_hours=True)
    assert result.astimezone(TZ) == at(2026, 11, 23, 9, 30)


def test_working_time_runs_on_the_make_up_saturday_before_the_spring_festival() -> None:
    result = OFFICE.deadline(at(2026, 2, 13, 16, 30), 2, "hours", working_hours=True)
    assert result.astimezone(TZ) == at(2026, 2, 14, 9, 30)


def test_working_time_skips_the_spring_festival_holiday() -> None:
    result = OFFICE.deadline(at(2026, 2, 14, 16, 30), 2, "hours", working_hours=True)
    assert result.astimezone(TZ) == at(2026, 2, 24, 9, 30)


def test_nine_working_hours_equal_exactly_one_working_day() -> None:
    result = OFFICE.deadline(at(2026, 11, 23, 9), 9, "hours", working_hours=True)
    assert result.astimezone(TZ) == at(2026, 11, 24, 9)


def test_working_time_is_counted_in_the_calendars_timezone_for_a_utc_start() -> None:
    # 2026-11-23 00:00 UTC is 08:00 in Shanghai, before opening.
    start = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    result = OFFICE.deadline(start, 1, "hours", working_hours=True)
    assert result.astimezone(TZ) == at(2026, 11, 23, 9, 30)


def test_working_time_respects_a_holiday_override() -> None:
    calendar = WorkCalendar(timezone=TZ, overrides={date(2026, 11, 23): False}, hours=OFFICE_HOURS)
    result = calendar.deadline(at(2026, 11, 20, 16, 30), 2, "hours", working_hours=True)
    assert result.astimezone(TZ) == at(2026, 11, 24, 9, 30)


# ------------------------------------------------------------------ errors


def test_a_naive_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        PLAIN.deadline(datetime(2026, 11, 23, 9), 1, "hours")  # noqa: DTZ001


def test_a_negative_amount_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        PLAIN.deadline(at(2026, 11, 23, 9), -1, "working_days")


def test_working_time_on_a_calendar_without_hours_is_rejected() -> None:
    with pytest.raises(ValueError, match="no working hours"):
        PLAIN.deadline(at(2026, 11, 23, 9), 1, "hours", working_hours=True)


def test_working_hours_ending_before_they_start_are_rejected() -> None:
    with pytest.raises(ValueError, match="start before they end"):
        WorkingHours(start=time(17, 30), end=time(8, 30))


def test_working_hours_ending_when_they_start_are_rejected() -> None:
    with pytest.raises(ValueError, match="start before they end"):
        WorkingHours(start=time(8, 30), end=time(8, 30))
