"""Quiet hours (免打扰时段): SMS that is not urgent waits for the morning.

A window is ``HH:MM-HH:MM`` in the district's time zone; one whose start is after its end
(``22:00-07:00``) spans midnight. A staff member's preference may replace the default.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_quiet_hours(value: str | None) -> tuple[time, time] | None:
    if not value:
        return None
    start, _, end = value.partition("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def quiet_until(now: datetime, quiet_hours: str | None, timezone: str) -> datetime | None:
    """The end of the quiet hours `now` falls in (UTC), or None outside them.

    A window whose start is after its end (22:00-07:00) spans midnight.
    """
    window = parse_quiet_hours(quiet_hours)
    if window is None or window[0] == window[1]:
        return None
    start, end = window
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    t = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= t < end
        day = local.date()
    else:
        inside = t >= start or t < end
        day = local.date() + timedelta(days=1) if t >= start else local.date()
    if not inside:
        return None
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
