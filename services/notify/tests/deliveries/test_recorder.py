"""The recorder's group commit (pure logic: the recording is a stand-in)."""

import asyncio

from notify.deliveries.worker import Outcome, Recorder


async def test_a_group_waits_its_linger_for_others_and_no_longer_once_it_is_full() -> None:
    groups: list[int] = []

    async def record(outcomes: list[Outcome]) -> list[bool | Exception]:
        groups.append(len(outcomes))
        return [True] * len(outcomes)

    outcome = Outcome(delivery=None, values={})  # type: ignore[arg-type]
    recorder = Recorder(record, linger=1.0, enough=3)
    running = asyncio.create_task(recorder.run())
    try:
        first = asyncio.create_task(recorder.record(outcome))
        await asyncio.sleep(0.05)  # the first outcome's group is lingering
        assert await asyncio.gather(first, recorder.record(outcome)) == [True, True]
        assert groups == [2]  # the second joined the first's group
    finally:
        running.cancel()

    recorder = Recorder(record, linger=3600.0, enough=3)
    running = asyncio.create_task(recorder.run())
    try:
        three = asyncio.gather(*(recorder.record(outcome) for _ in range(3)))
        assert await asyncio.wait_for(three, timeout=30) == [True] * 3  # not the linger
        assert groups == [2, 3]
    finally:
        running.cancel()
