"""A burst of assignments: the worker claims them together and sends them concurrently,
no more at once than ``NOTIFY_SEND_CONCURRENCY`` lets through to the gateway; each
person gets their SMS once and every delivery is recorded."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gridcase_events import envelope, payloads
from gridcase_events.testing import HttpSink

pytestmark = pytest.mark.integration

BURST = 12
CONCURRENCY = 3


class CountingSink(HttpSink):
    """The test gateway, counting the requests it holds at once."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = 0
        self.most_at_once = 0

    async def _app(self, scope: Any, receive: Any, send: Any) -> None:
        self.holding += 1
        self.most_at_once = max(self.most_at_once, self.holding)
        try:
            await super()._app(scope, receive, send)
        finally:
            self.holding -= 1


@pytest.fixture
async def http_sink() -> AsyncIterator[HttpSink]:
    sink = CountingSink()
    await sink.start()
    yield sink
    await sink.stop()


@pytest.fixture
def notify_overrides() -> dict[str, Any]:
    # every assignment's SMS is sent, none folded into a digest of a burst
    return {"send_concurrency": CONCURRENCY, "sms_burst_limit": 100}


def sent(items: list[dict[str, Any]]) -> bool:
    return len(items) == 2 and all(i["status"] == "delivered" for i in items)


async def test_a_burst_is_sent_concurrently_within_the_bound_each_once(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: CountingSink
) -> None:
    await staff()
    http_sink.reply_next(delay=0.3, times=BURST)  # the gateway takes its time
    events = [await assigned(tracking_no=f"GC-20261121-B{i:05d}") for i in range(BURST)]

    for event in events:
        items = await deliveries(event.subject, sent, channel=None)
        assert {i["channel"] for i in items} == {"sms", "inapp"}
        assert all(i["attempts"] == 1 for i in items)

    keys = [r.json()["out_id"] for r in http_sink.requests]
    assert len(keys) == BURST
    assert len(set(keys)) == BURST  # one SMS per assignment, none twice
    assert 1 < http_sink.most_at_once <= CONCURRENCY


async def test_each_case_routed_then_assigned_is_told_once_of_its_assignment(
    client: Any,
    staff: Any,
    publish: Any,
    assigned: Any,
    deliveries: Any,
    http_sink: CountingSink,
) -> None:
    # As dispatch publishes them: each case's routing just before its assignment, on
    # the same partition. The routing tells nobody; the assignment is told once.
    await staff()
    cases = [envelope.new_id() for _ in range(6)]
    for i, case_id in enumerate(cases):
        await publish(
            payloads.CaseRouted(
                case_id=case_id,
                tracking_no=f"GC-20261121-R{i:05d}",
                category_code="environment/garbage-overflow",
                priority="normal",
                channel="hotline",
                target="grid",
                method="point_in_polygon",
                grid_code="510302001001001",
                reason="point in grid",
            ),
            subject=str(case_id),
            source="dispatch",
        )
        await assigned(case_id=case_id, tracking_no=f"GC-20261121-R{i:05d}")

    for case_id in cases:
        items = await deliveries(case_id, sent, channel=None)
        assert {(i["channel"], i["trigger_event_type"]) for i in items} == {
            ("sms", "case.assigned"),
            ("inapp", "case.assigned"),
        }
    keys = [r.json()["out_id"] for r in http_sink.requests]
    assert len(keys) == len(cases)
    assert len(set(keys)) == len(cases)
