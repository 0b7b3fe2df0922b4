"""Which of a case's clocks runs and what colour its deadline is. Pure logic."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal, Protocol, TypeVar

SlaState = Literal["green", "yellow", "red", "breached"]
YELLOW_AT = 50  # escalation warns at 50% and 80% of a clock's time by default
RED_AT = 80


class ClockState(Protocol):
    @property
    def clock(self) -> str: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def stopped_at(self) -> datetime | None: ...
    @property
    def paused_at(self) -> datetime | None: ...
    @property
    def resumed_at(self) -> datetime | None: ...


C = TypeVar("C", bound=ClockState)


def running(clock: ClockState) -> bool:
    """Started, not stopped since its start, not paused (缓办)."""
    if clock.started_at is None or clock.due_at is None:
        return False
    if clock.stopped_at is not None and clock.stopped_at >= clock.started_at:
        return False
    paused = (
        clock.paused_at is not None
        and clock.paused_at >= clock.started_at
        and (clock.resumed_at is None or clock.resumed_at < clock.paused_at)
    )
    return not paused


def nearest(clocks: Iterable[C]) -> C | None:
    """The running clock whose deadline comes first (ties: by clock name)."""
    candidates = [c for c in clocks if running(c)]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c.due_at or datetime.max.replace(tzinfo=UTC), c.clock))


def state(*, due_at: datetime, warned_percent: int, breached: bool, now: datetime) -> SlaState:
    """Breached once escalation says so or the deadline has passed; red and yellow by
    escalation's warnings (which count working time as the clock does)."""
    if breached or due_at <= now:
        return "breached"
    if warned_percent >= RED_AT:
        return "red"
    if warned_percent >= YELLOW_AT:
        return "yellow"
    return "green"
