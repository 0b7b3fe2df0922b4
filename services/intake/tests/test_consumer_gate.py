"""The consumers' gate (intake.admission.InFlight.quiet): a poll waits for the hotline
pushes in flight to be answered, within a bound, on a loop whose clock the test moves:
no sleeping."""

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any

import pytest

from intake.admission import InFlight


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


def settle(loop: ManualTimeLoop) -> None:
    """Runs what is ready and due now (a few turns), without moving the clock."""
    for _ in range(3):
        loop.run_until_complete(asyncio.sleep(0))


def gate(loop: ManualTimeLoop, waiting: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    task = loop.create_task(waiting)
    settle(loop)
    return task


def pushes() -> InFlight:
    return InFlight(limit=10, retry_after=1)


def test_with_no_push_in_flight_the_gate_is_open(loop: ManualTimeLoop) -> None:
    bound = pushes()

    assert gate(loop, bound.quiet(0.05)).done()


def test_the_gate_opens_when_the_last_push_in_flight_is_answered(loop: ManualTimeLoop) -> None:
    bound = pushes()
    bound.enter()
    bound.enter()
    waiting = gate(loop, bound.quiet(0.05))
    assert not waiting.done()

    bound.leave()
    settle(loop)
    assert not waiting.done(), "one push is still in flight"

    bound.leave()
    settle(loop)
    assert waiting.done()
    assert loop.now == 1000.0


def test_the_gate_opens_at_its_bound_however_busy_the_pushes_are(loop: ManualTimeLoop) -> None:
    bound = pushes()
    bound.enter()
    waiting = gate(loop, bound.quiet(0.05))

    loop.now += 0.049
    settle(loop)
    assert not waiting.done()

    loop.now += 0.001
    settle(loop)
    assert waiting.done()
    assert bound.count == 1

    # A push answered later releases nothing stale and starts no wait.
    bound.leave()
    assert gate(loop, bound.quiet(0.05)).done()


def test_every_consumer_waiting_is_released_by_the_last_push(loop: ManualTimeLoop) -> None:
    bound = pushes()
    bound.enter()
    status, deadlines = gate(loop, bound.quiet(0.05)), gate(loop, bound.quiet(0.05))

    bound.leave()
    settle(loop)

    assert status.done() and deadlines.done()


def test_a_bound_of_zero_never_waits(loop: ManualTimeLoop) -> None:
    bound = pushes()
    bound.enter()

    assert gate(loop, bound.quiet(0)).done()


def test_a_push_admitted_while_a_consumer_waits_keeps_it_waiting(loop: ManualTimeLoop) -> None:
    """The gate waits for no push in flight, not for the pushes seen when it started."""
    bound = pushes()
    bound.enter()
    waiting = gate(loop, bound.quiet(0.05))

    bound.enter()  # admitted meanwhile
    bound.leave()  # the first one answered
    settle(loop)
    assert not waiting.done()

    bound.leave()
    settle(loop)
    assert waiting.done()
