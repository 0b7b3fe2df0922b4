"""Clocks start, stop, pause, resume and move with the case's events (real Kafka)."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from gridcase_events import envelope, payloads

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-23T09:00:00+08:00")  # Monday


def due(clock: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(clock["due_at"])


@pytest.mark.parametrize(
    ("priority", "category", "sign_for", "resolution"),
    [
        ("normal", "environment/garbage-overflow", timedelta(hours=2), timedelta(days=7)),
        ("urgent", "safety/fire-hazard", timedelta(minutes=30), timedelta(hours=2)),
        ("normal", "utility/water-outage", timedelta(hours=2), timedelta(hours=24)),
    ],
)
async def test_assignment_starts_sign_for_and_resolution_by_policy(
    client: Any,
    dispatch: Any,
    clocks_of: Any,
    build: Any,
    priority: str,
    category: str,
    sign_for: timedelta,
    resolution: timedelta,
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id, priority=priority, category=category))

    clocks = await clocks_of(case_id, lambda c: len(c) == 2)

    assert due(clocks[("sign_for", 1)]) == T0 + sign_for
    assert due(clocks[("resolution", 1)]) == T0 + resolution
    assert clocks[("resolution", 1)]["status"] == "running"


async def test_accepting_stops_the_sign_for_clock(
    client: Any, dispatch: Any, clocks_of: Any, build: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    await dispatch(payloads.CaseAccepted(**build.action(case_id, T0 + timedelta(minutes=20))))

    clocks = await clocks_of(case_id, lambda c: any(x["status"] == "stopped" for x in c))

    assert clocks[("sign_for", 1)]["stop_reason"] == "accepted"
    assert clocks[("sign_for", 1)]["remaining_seconds"] == 100 * 60  # frozen at the stop
    assert clocks[("resolution", 1)]["status"] == "running"


async def test_suspension_pauses_and_resumption_moves_the_deadline(
    client: Any, dispatch: Any, clocks_of: Any, build: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    await dispatch(
        payloads.CaseSuspended(**build.action(case_id, T0 + timedelta(hours=1)), reason="等待居民")
    )
    paused = await clocks_of(case_id, lambda c: any(x["paused"] for x in c))
    await dispatch(payloads.CaseResumed(**build.action(case_id, T0 + timedelta(hours=5))))
    resumed = await clocks_of(
        case_id,
        lambda c: any(
            x["kind"] == "resolution"
            and x["status"] == "running"
            and x["due_at"] != paused[("resolution", 1)]["due_at"]
            for x in c
        ),
    )

    assert paused[("resolution", 1)]["status"] == "paused"
    assert due(resumed[("resolution", 1)]) == T0 + timedelta(days=7, hours=4)


async def test_an_approved_extension_moves_the_deadline(
    client: Any, dispatch: Any, clocks_of: Any, build: Any
) -> None:
    case_id = envelope.new_id()
    until = T0 + timedelta(days=10)
    await dispatch(build.assigned(case_id))
    await dispatch(
        payloads.CaseExtensionApproved(**build.action(case_id, T0 + timedelta(days=1)), until=until)
    )

    clocks = await clocks_of(case_id, lambda c: any(due(x) == until for x in c))

    assert due(clocks[("resolution", 1)]) == until


async def test_a_reopened_case_gets_a_fresh_resolution_clock(
    client: Any, dispatch: Any, clocks_of: Any, build: Any
) -> None:
    case_id = envelope.new_id()
    reopened_at = T0 + timedelta(days=3)
    await dispatch(build.assigned(case_id))
    await dispatch(
        payloads.CaseResolved(**build.action(case_id, T0 + timedelta(days=2)), note="done")
    )
    await dispatch(
        payloads.CaseReopened(
            **build.action(case_id, reopened_at), reason="回访不满意", reopenings=1
        )
    )

    clocks = await clocks_of(case_id, lambda c: any(x["generation"] == 2 for x in c))

    assert clocks[("resolution", 1)]["stop_reason"] == "resolved"
    assert clocks[("resolution", 2)]["status"] == "running"
    assert due(clocks[("resolution", 2)]) == reopened_at + timedelta(days=7)


async def test_closing_starts_the_callback_clock_due_the_next_working_day(
    client: Any, dispatch: Any, clocks_of: Any, build: Any
) -> None:
    case_id = envelope.new_id()
    closed_at = datetime.fromisoformat("2026-11-27T16:00:00+08:00")  # a Friday
    await dispatch(build.assigned(case_id))
    await dispatch(payloads.CaseClosed(**build.action(case_id, closed_at)))

    clocks = await clocks_of(case_id, lambda c: any(x["kind"] == "callback" for x in c))

    # The end of Monday's working hours (08:30–17:30).
    assert due(clocks[("callback", 1)]) == datetime.fromisoformat("2026-11-30T17:30:00+08:00")


async def test_first_contact_is_due_after_acceptance_and_stops_when_recorded(
    client: Any, dispatch: Any, clocks_of: Any, build: Any
) -> None:
    case_id = envelope.new_id()
    accepted_at = T0 + timedelta(minutes=20)
    await dispatch(build.assigned(case_id))
    await dispatch(payloads.CaseAccepted(**build.action(case_id, accepted_at)))
    running = await clocks_of(case_id, lambda c: any(x["kind"] == "first_contact" for x in c))
    await dispatch(
        payloads.CaseContacted(**build.action(case_id, accepted_at + timedelta(hours=3)))
    )
    stopped = await clocks_of(
        case_id, lambda c: any(x["kind"] == "first_contact" and x["status"] == "stopped" for x in c)
    )

    assert due(running[("first_contact", 1)]) == accepted_at + timedelta(hours=24)
    assert stopped[("first_contact", 1)]["stop_reason"] == "contacted"
