"""Working days and deadline arithmetic (限时办结).

Working days follow the official Chinese calendar, with its make-up working days (调休),
through the chinese-calendar package; local holidays and make-up days an admin adds
override it. For a year the package does not know yet, Monday to Friday are working
days unless overridden. Optional working hours (e.g. 08:30–17:30) restrict clocks that
count working time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.calendar import repository
from escalation.calendar.models import CalendarDay
from escalation.calendar.schemas import CalendarDayIn
from escalation.config import EscalationSettings
from escalation.policies import service as policy_service
from escalation.policies.models import Policy
from gridcase_events.kit.versions import ensure_unchanged

Unit = Literal["minutes", "hours", "days", "working_days"]


@dataclass(frozen=True)
class WorkingHours:
    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("working hours must start before they end")

    @property
    def seconds(self) -> float:
        return (
            datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)
        ).total_seconds()


@dataclass(frozen=True)
class WorkCalendar:
    """The district's calendar: `overrides` maps a date to working (True) or not."""

    timezone: ZoneInfo
    overrides: Mapping[date, bool] = field(default_factory=dict)
    hours: WorkingHours | None = None

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:  # a year the official calendar is not published for
            return day.weekday() < 5

    def deadline(
        self,
        start: datetime,
        amount: int,
        unit: Unit,
        *,
        working_hours: bool = False,
        end_of_day: bool = False,
    ) -> datetime:
        """When a clock started at `start` with this limit runs out (an aware datetime
        in UTC). `working_hours` counts only time inside working hours of working days
        (it needs :attr:`hours`); `end_of_day` moves a day-based deadline to the end of
        that day (or of its working hours)."""
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime")
        if amount < 0:
            raise ValueError("a limit cannot be negative")
        local = start.astimezone(self.timezone)
        if unit in ("minutes", "hours"):
            span = timedelta(minutes=amount) if unit == "minutes" else timedelta(hours=amount)
            if working_hours:
                return self._add_working_time(local, span).astimezone(UTC)
            return (local + span).astimezone(UTC)
        if unit == "days":
            result = local + timedelta(days=amount)
        else:
            result = self._add_working_days(local, amount)
        if end_of_day:
            result = self._end_of(result.date())
        return result.astimezone(UTC)

    # -------------------------------------------------------------------- helpers

    def _end_of(self, day: date) -> datetime:
        if self.hours is not None:
            return datetime.combine(day, self.hours.end, self.timezone)
        return datetime.combine(day + timedelta(days=1), time.min, self.timezone) - timedelta(
            microseconds=1
        )

    def _add_working_days(self, local: datetime, amount: int) -> datetime:
        """The same time of day on the `amount`-th working day after the start; a start
        on a non-working day counts from the beginning of the next working day."""
        day = local.date()
        clock_time = local.timetz().replace(tzinfo=None)
        if not self.is_working_day(day):
            clock_time = self.hours.start if self.hours is not None else time.min
            day = self._next_working_day(day)
        counted = 0
        while counted < amount:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, clock_time, self.timezone)

    def _next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        for _ in range(400):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no working day within a year")

    def _add_working_time(self, local: datetime, span: timedelta) -> datetime:
        if self.hours is None:
            raise ValueError("this calendar has no working hours")
        remaining = span.total_seconds()
        cursor = local
        for _ in range(3660):  # ten years of days: a bound, not a limit anyone reaches
            day = cursor.date()
            opens = datetime.combine(day, self.hours.start, self.timezone)
            closes = datetime.combine(day, self.hours.end, self.timezone)
            if self.is_working_day(day) and cursor < closes:
                cursor = max(cursor, opens)
                available = (closes - cursor).total_seconds()
                if remaining <= available:
                    return cursor + timedelta(seconds=remaining)
                remaining -= available
            cursor = datetime.combine(day + timedelta(days=1), time.min, self.timezone)
        raise ValueError("working time too long to place")


# --------------------------------------------------------------- the district's calendar


async def load(
    session: AsyncSession, settings: EscalationSettings, *, district: str | None = None
) -> WorkCalendar:
    """The district's calendar as configured: its time zone, working hours, and the
    local holidays and make-up working days an admin added (the city's, overridden by
    `district`'s own)."""
    hours = None
    if settings.working_hours:
        start, end = settings.working_hours.split("-")
        hours = WorkingHours(time.fromisoformat(start), time.fromisoformat(end))
    days = await repository.overrides(session, district=district)
    return WorkCalendar(ZoneInfo(settings.timezone), days, hours)


async def days_of_year(
    session: AsyncSession, *, year: int, district: str | None
) -> Sequence[CalendarDay]:
    """The local holidays and make-up days of `year`: the city's, and the district's own."""
    return await repository.days_of_year(session, year=year, district=district)


async def add_days(
    session: AsyncSession,
    days: Sequence[CalendarDayIn],
    *,
    walled: str | None,
    by: str,
    at: datetime,
) -> None:
    """Adds (or changes) local holidays and make-up working days (the city's, or a
    district's own: an admin of a district changes its own only), each as of `at` by
    `by`. A day sent with the version its editor read is refused (409, nothing saved)
    when someone changed it since."""
    rows = policy_service.owned_rows(days, walled=walled)
    for row, sent in zip(rows, days, strict=True):
        if sent.expected_updated_at is None:
            continue
        current = await repository.locked_day(
            session, district_code=row["district_code"], day=row["day"]
        )
        if current is not None:
            ensure_unchanged(
                what=f"the day {row['day'].isoformat()}",
                expected=sent.expected_updated_at,
                current_at=current.updated_at,
                current_by=current.updated_by,
            )
    await repository.upsert_days(
        session, [row | {"updated_at": at, "updated_by": by} for row in rows]
    )


async def deadline(
    session: AsyncSession,
    settings: EscalationSettings,
    *,
    kind: str,
    category_code: str | None,
    priority: str,
    start: datetime,
    district: str | None = None,
) -> tuple[datetime, Policy]:
    """When a clock of `kind` started at `start` runs out, and the policy that says so
    (:class:`~escalation.policies.service.NoPolicy`, a 404, when none does): the
    district's own policy and calendar where it has them, else the city's default."""
    # The limits and the days in one statement when the transaction has read neither.
    await repository.read_limits_and_days(
        session, category_code=category_code, priority=priority, district=district
    )
    policy = await policy_service.policy_for(
        session, category_code=category_code, priority=priority, clock=kind, district=district
    )
    work = await load(session, settings, district=district)
    due = work.deadline(
        start,
        policy.amount,
        policy.unit,  # type: ignore[arg-type]
        working_hours=policy.working_hours and work.hours is not None,
        end_of_day=policy.end_of_day,
    )
    return due, policy
