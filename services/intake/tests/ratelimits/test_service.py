"""Fixed windows of the rate limiter (pure parts)."""

from datetime import UTC, datetime

from intake.ratelimits import service


def test_windows_are_aligned_to_the_epoch() -> None:
    now = datetime(2026, 11, 21, 9, 30, 42, 500000, tzinfo=UTC)
    assert service.window_start(now, 60) == datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
    assert service.window_start(now, 3600) == datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def test_retry_after_is_the_rest_of_the_window_rounded_up() -> None:
    assert service.retry_after(datetime(2026, 11, 21, 9, 30, 42, 500000, tzinfo=UTC), 60) == 18
    assert service.retry_after(datetime(2026, 11, 21, 9, 30, 0, tzinfo=UTC), 60) == 60
    assert service.retry_after(datetime(2026, 11, 21, 9, 59, 59, 999000, tzinfo=UTC), 3600) == 1
