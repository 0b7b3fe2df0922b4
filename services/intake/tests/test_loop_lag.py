"""How late the event loop runs (intake.admission.LoopLag), on a loop whose clock the
test moves: no sleeping."""

import asyncio
from collections.abc import Iterator

import pytest

from gridcase_events.kit.errors import Unavailable
from intake.admission import InFlight, LoopLag


class ManualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose ``time()`` is what the test says."""

    now = 1000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def loop() -> Iterator[ManualTimeLoop]:
    loop = ManualTimeLoop()
    yield loop
    loop.close()


def reading(loop: ManualTimeLoop, lag: LoopLag) -> float:
    async def read() -> float:
        return lag()

    return loop.run_until_complete(read())


def run_due_timers(loop: ManualTimeLoop) -> None:
    loop.run_until_complete(asyncio.sleep(0))


def test_a_loop_on_time_reads_no_lag(loop: ManualTimeLoop) -> None:
    lag = LoopLag(interval=0.05)
    assert reading(loop, lag) == 0.0
    loop.now += 0.05
    run_due_timers(loop)
    assert reading(loop, lag) == 0.0


def test_a_timer_still_overdue_counts_how_long_it_is_overdue(loop: ManualTimeLoop) -> None:
    lag = LoopLag(interval=0.05)
    reading(loop, lag)  # starts the timer, due at +0.05

    loop.now += 0.45  # the loop was busy: nothing ran for 450 ms

    assert reading(loop, lag) == pytest.approx(0.40)


def test_a_timer_that_fired_late_is_remembered_until_the_next_one(loop: ManualTimeLoop) -> None:
    lag = LoopLag(interval=0.05)
    reading(loop, lag)
    loop.now += 0.35
    run_due_timers(loop)  # fires 300 ms late; the next one is due at +0.05

    assert reading(loop, lag) == pytest.approx(0.30)

    loop.now += 0.05
    run_due_timers(loop)  # on time
    assert reading(loop, lag) == 0.0


def test_admission_refuses_past_the_lag_bound_and_only_then() -> None:
    late = 0.0
    pushes = InFlight(limit=10, retry_after=1, max_lag=0.2, lag=lambda: late)

    assert pushes.refusal() is None
    late = 0.25
    refused = pushes.refusal()
    assert isinstance(refused, Unavailable)
    assert "250 ms late" in refused.detail
    assert refused.headers == {"Retry-After": "1"}
    assert pushes.count == 0
