"""`sla.clock_started`: escalation announces each clock it starts and each deadline it
moves, so that others (intake's public status) can show the deadline."""

import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from gridcase_events import envelope, payloads, topics
from gridcase_events.testing import eventually, read_topic

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-23T09:00:00+08:00")  # Monday


@pytest.fixture
def announced(kafka_bootstrap: str, namespace: str) -> Any:
    """Waits until `count` sla.clock_started events about a case are on the topic."""

    async def wait(case_id: UUID, count: int) -> list[dict[str, Any]]:
        async def check() -> list[dict[str, Any]] | None:
            records = await read_topic(
                kafka_bootstrap, topics.qualify(namespace, topics.ESCALATION), min_count=count
            )
            events = [json.loads(r.value) for r in records if r.key == str(case_id).encode()]
            found = [e for e in events if e["type"] == "sla.clock_started"]
            return found if len(found) >= count else None

        result: list[dict[str, Any]] = await eventually(check)
        return result

    return wait


async def test_assignment_announces_the_sign_for_and_resolution_deadlines(
    client: Any, dispatch: Any, build: Any, announced: Any
) -> None:
    case_id = envelope.new_id()
    assigned = await dispatch(build.assigned(case_id))

    events = await announced(case_id, 2)

    by_clock = {e["data"]["clock"]: e for e in events}
    assert set(by_clock) == {"sign_for", "resolution"}
    resolution = by_clock["resolution"]["data"]
    assert datetime.fromisoformat(resolution["due_at"]) == T0 + timedelta(days=7)
    assert datetime.fromisoformat(resolution["started_at"]) == T0
    assert resolution["generation"] == 1
    assert resolution["reason"] == "started"
    assert resolution["tracking_no"] == "GC-20261123-CLOCK1"
    assert resolution["grid_code"] == "510302001001001"
    assert by_clock["resolution"]["causation_id"] == str(assigned.id)
    assert by_clock["resolution"]["correlation_id"] == f"corr-{case_id}"


async def test_an_approved_extension_announces_the_new_deadline(
    client: Any, dispatch: Any, build: Any, announced: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    until = T0 + timedelta(days=10)
    await dispatch(
        payloads.CaseExtensionApproved(**build.action(case_id, T0 + timedelta(days=1)), until=until)
    )

    events = await announced(case_id, 3)

    extended = [e["data"] for e in events if e["data"]["reason"] == "extended"]
    assert len(extended) == 1
    assert extended[0]["clock"] == "resolution"
    assert extended[0]["generation"] == 1
    assert datetime.fromisoformat(extended[0]["due_at"]) == until
    assert datetime.fromisoformat(extended[0]["changed_at"]) == T0 + timedelta(days=1)


async def test_a_reopened_case_announces_a_new_generation(
    client: Any, dispatch: Any, build: Any, announced: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    reopened_at = T0 + timedelta(days=3)
    await dispatch(
        payloads.CaseReopened(
            **build.action(case_id, reopened_at), reason="回访不满意", reopenings=1
        )
    )

    events = await announced(case_id, 3)

    resolutions = sorted(
        (e["data"] for e in events if e["data"]["clock"] == "resolution"),
        key=lambda d: d["generation"],
    )
    assert [d["generation"] for d in resolutions] == [1, 2]
    assert datetime.fromisoformat(resolutions[1]["started_at"]) == reopened_at
    assert datetime.fromisoformat(resolutions[1]["due_at"]) == reopened_at + timedelta(days=7)
