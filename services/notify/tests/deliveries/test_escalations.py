"""Escalations, warnings and breaches reach the right people, once (real Kafka)."""

from datetime import timedelta
from typing import Any

import pytest

from gridcase_events import envelope, payloads
from gridcase_events.testing import HttpSink, bearer

pytestmark = pytest.mark.integration


def sla_ref(manual_clock: Any, **extra: Any) -> dict[str, Any]:
    now = manual_clock.now()
    return {
        "case_id": extra.pop("case_id"),
        "tracking_no": "GC-20261121-LATE01",
        "clock": "sign_for",
        "generation": 1,
        "started_at": now - timedelta(hours=2),
        "due_at": now,  # 10:00 in the district
        "priority": "normal",
        "grid_code": "510302001001001",
        "assignee_id": "gm111a",
        "fired_at": now,
        "late_seconds": 0.0,
        **extra,
    }


def delivered(items: list[dict[str, Any]]) -> bool:
    return all(i["status"] == "delivered" for i in items)


async def test_the_people_on_the_rung_hear_of_an_escalation(
    client: Any, staff: Any, publish: Any, deliveries: Any, http_sink: HttpSink, clock: Any
) -> None:
    await staff("gl111", "13800000001")
    await staff("gl111b", "13800000099")
    case_id = envelope.new_id()
    await publish(
        payloads.CaseEscalated(
            **sla_ref(clock, case_id=case_id),
            level=1,
            urge=0,
            target_role="grid_leader",
            target_staff_ids=["gl111", "gl111b"],
            reason="the sign_for deadline passed 1min ago",
        ),
        subject=str(case_id),
        source="escalation",
    )

    items = await deliveries(case_id, lambda d: len(d) == 2 and delivered(d))

    phones = sorted(r.json()["phone"] for r in http_sink.requests)
    assert phones == ["13800000001", "13800000099"]
    text = http_sink.requests[0].json()["content"]
    assert "超时督办" in text
    assert "GC-20261121-LATE01" in text
    assert "签收时限" in text
    assert {i["trigger_event_type"] for i in items} == {"case.escalated"}


async def test_a_reminder_and_buck_passing_say_so(
    client: Any, staff: Any, publish: Any, deliveries: Any, http_sink: HttpSink, clock: Any
) -> None:
    await staff("sm11", "13800000005")
    reminder, buck = envelope.new_id(), envelope.new_id()
    for case_id, extra in (
        (reminder, {"urge": 2, "buck_passing": False}),
        (buck, {"urge": 0, "buck_passing": True, "clock": "ownership"}),
    ):
        clock_kind = extra.pop("clock", "sign_for")
        await publish(
            payloads.CaseEscalated(
                **sla_ref(clock, case_id=case_id, clock=clock_kind),
                level=2,
                target_role="station_master",
                target_staff_ids=["sm11"],
                reason="x",
                **extra,
            ),
            subject=str(case_id),
            source="escalation",
        )

    await deliveries(reminder, delivered)
    await deliveries(buck, delivered)

    texts = {r.json()["content"] for r in http_sink.requests}
    assert any("催办提醒（第2次）" in t for t in texts)
    assert any("推诿预警" in t and "无人签收" in t for t in texts)


async def test_the_assignee_hears_of_a_warning_with_its_local_deadline(
    client: Any, staff: Any, publish: Any, deliveries: Any, http_sink: HttpSink, clock: Any
) -> None:
    await staff()
    case_id = envelope.new_id()
    await publish(
        payloads.SlaWarning(**sla_ref(clock, case_id=case_id), percent=80),
        subject=str(case_id),
        source="escalation",
    )

    await deliveries(case_id, delivered)

    [request] = http_sink.requests
    assert request.json()["phone"] == "13800000002"
    assert "已用去80%" in request.json()["content"]
    assert "11-21 10:00" in request.json()["content"]  # 02:00 UTC in Asia/Shanghai


async def test_an_ownership_warning_goes_to_nobody(
    client: Any, staff: Any, publish: Any, deliveries: Any, http_sink: HttpSink, clock: Any
) -> None:
    await staff()
    quiet, marker = envelope.new_id(), envelope.new_id()
    await publish(
        payloads.SlaBreached(**sla_ref(clock, case_id=quiet, clock="ownership")),
        subject=str(quiet),
        source="escalation",
    )
    await publish(
        payloads.SlaBreached(**sla_ref(clock, case_id=marker)),
        subject=str(marker),
        source="escalation",
    )

    await deliveries(marker, delivered)

    listing = await client.get(
        f"/v1/cases/{quiet}/deliveries", headers=bearer("ops1", "ops", "510302")
    )
    assert listing.json() == []
    assert len(http_sink.requests) == 1
