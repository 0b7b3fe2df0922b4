"""Which clock runs and its colour (pure logic)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from dispatch.deadlines import rules

T0 = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


@dataclass
class Clock:
    clock: str
    started_at: datetime | None = T0
    due_at: datetime | None = T0 + timedelta(hours=1)
    stopped_at: datetime | None = None
    paused_at: datetime | None = None
    resumed_at: datetime | None = None


def test_the_nearest_running_deadline_wins() -> None:
    sign_for = Clock("sign_for", due_at=T0 + timedelta(minutes=30))
    resolution = Clock("resolution", due_at=T0 + timedelta(days=7))
    assert rules.nearest([resolution, sign_for]) is sign_for


def test_a_stop_at_or_after_the_start_stops_it_and_a_later_restart_runs() -> None:
    assert not rules.running(Clock("sign_for", stopped_at=T0))
    assert rules.running(Clock("sign_for", started_at=T0 + timedelta(minutes=1), stopped_at=T0))


def test_a_paused_clock_shows_no_deadline_until_resumed() -> None:
    paused = Clock("resolution", paused_at=T0 + timedelta(minutes=5))
    assert rules.nearest([paused]) is None
    paused.resumed_at = T0 + timedelta(minutes=9)
    assert rules.nearest([paused]) is paused


@pytest.mark.parametrize(
    ("warned", "breached", "due_in", "state"),
    [
        (0, False, 60, "green"),
        (50, False, 60, "yellow"),
        (80, False, 60, "red"),
        (80, True, 60, "breached"),
        (0, False, 0, "breached"),
    ],
)
def test_state(warned: int, breached: bool, due_in: int, state: str) -> None:
    due = T0 + timedelta(minutes=due_in)
    assert rules.state(due_at=due, warned_percent=warned, breached=breached, now=T0) == state
