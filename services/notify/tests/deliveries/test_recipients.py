"""The default rules reach the right people over the right channels (real Kafka)."""

from datetime import timedelta
from typing import Any

import pytest

from gridcase_events import envelope, payloads
from gridcase_events.kit.pii import PiiCipher
from gridcase_events.kit.settings import DEV_PII_KEY
from gridcase_events.testing import HttpSink, bearer

pytestmark = pytest.mark.integration

ADMIN = bearer("admin1", "admin", "510302")
GRID = "510302001001001"
COMMUNITY = "510302001001"
CIPHER = PiiCipher(DEV_PII_KEY)


def settled(items: list[dict[str, Any]]) -> bool:
    return all(i["status"] not in ("pending", "sending") for i in items)


def reporter(phone: str) -> payloads.Contact:
    return payloads.Contact(
        phone_masked=phone[:3] + "****" + phone[-4:], phone_encrypted=CIPHER.encrypt(phone)
    )


async def test_a_department_case_reaches_all_the_departments_operators(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink
) -> None:
    for staff_id, phone in (("cg01", "13800000101"), ("cg02", "13800000102")):
        await staff(
            staff_id, phone, role="department_operator", area_code=None, department_code="CGJ"
        )
    event = await assigned(assignee="cg01", department_code="CGJ")

    items = await deliveries(event.subject, lambda d: len(d) == 4 and settled(d), None)

    assert {(i["recipient_id"], i["channel"], i["status"]) for i in items} == {
        ("staff:cg01", "sms", "delivered"),
        ("staff:cg01", "inapp", "delivered"),
        ("staff:cg02", "sms", "delivered"),
        ("staff:cg02", "inapp", "delivered"),
    }
    assert sorted(r.json()["phone"] for r in http_sink.requests) == ["13800000101", "13800000102"]


async def test_a_supervision_order_reaches_the_grid_leader_and_the_station_master(
    client: Any, staff: Any, publish: Any, deliveries: Any, http_sink: HttpSink, clock: Any
) -> None:
    await staff("gl111", "13800000001", role="grid_leader", area_code=GRID)
    await staff("sm11", "13800000005", role="station_master", area_code=COMMUNITY)
    await staff("gl112", "13800000009", role="grid_leader", area_code="510302001001002")
    case_id = envelope.new_id()
    await publish(
        payloads.SupervisionIssued(
            order_id=envelope.new_id(),
            case_id=case_id,
            tracking_no="GC-20261121-SUPER1",
            card="yellow",
            source="auto",
            reason="办结时限已超时。",
            issued_by="escalation",
            grid_code=GRID,
            issued_at=clock.now(),
        ),
        subject=str(case_id),
        source="escalation",
    )

    items = await deliveries(case_id, lambda d: len(d) == 2 and settled(d))

    assert {i["recipient_id"] for i in items} == {"staff:gl111", "staff:sm11"}
    texts = [r.json()["content"] for r in http_sink.requests]
    assert all("督办通知" in t and "黄牌" in t and "GC-20261121-SUPER1" in t for t in texts)


async def test_residents_hear_of_progress_including_reporters_of_merged_duplicates(
    client: Any,
    publish: Any,
    deliveries: Any,
    http_sink: HttpSink,
    clock: Any,
    reporters_known: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    case_id, duplicate_id, silent_id = envelope.new_id(), envelope.new_id(), envelope.new_id()
    await publish(
        payloads.CaseReported(
            case_id=case_id,
            tracking_no="GC-20261121-RESID1",
            channel="wish_wall",
            reported_at=clock.now(),
            content="路灯不亮",
            priority="normal",
            reporter=reporter("13912345678"),
        ),
        subject=str(case_id),
        source="intake",
    )
    await publish(
        payloads.CaseMerged(
            case_id=duplicate_id,
            tracking_no="GC-20261121-RESID2",
            channel="wish_wall",
            duplicate_of=case_id,
            duplicate_of_tracking_no="GC-20261121-RESID1",
            reason="same address",
            reporter=reporter("13987654321"),
            merged_at=clock.now(),
        ),
        subject=str(duplicate_id),
        source="intake",
    )
    await publish(
        payloads.CaseMerged(
            case_id=silent_id,
            tracking_no="GC-20261121-RESID3",
            channel="wish_wall",
            duplicate_of=case_id,
            duplicate_of_tracking_no="GC-20261121-RESID1",
            reason="same address",
            reporter=None,  # left no phone number: nobody to tell
            merged_at=clock.now(),
        ),
        subject=str(silent_id),
        source="intake",
    )
    await reporters_known(case_id, 3)
    await publish(
        payloads.CaseResolved(
            case_id=case_id,
            tracking_no="GC-20261121-RESID1",
            category_code="utility/street-light",
            priority="normal",
            channel="wish_wall",
            actor_id="gm111a",
            actor_role="grid_member",
            at=clock.now() + timedelta(hours=1),
            grid_code=GRID,
            assignee_id="gm111a",
            note="已更换灯泡。",
        ),
        subject=str(case_id),
        source="dispatch",
    )

    items = await deliveries(case_id, lambda d: len(d) == 2 and settled(d))

    assert {(i["recipient_id"], i["recipient_masked"]) for i in items} == {
        (f"resident:{case_id}", "139****5678"),
        (f"resident:{duplicate_id}", "139****4321"),
    }
    by_phone = {r.json()["phone"]: r.json() for r in http_sink.requests}
    assert set(by_phone) == {"13912345678", "13987654321"}
    # each resident reads the tracking number they were given
    assert "GC-20261121-RESID1" in by_phone["13912345678"]["content"]
    assert "GC-20261121-RESID2" in by_phone["13987654321"]["content"]
    assert "已更换灯泡" in by_phone["13912345678"]["content"]
    assert "办结" in by_phone["13912345678"]["content"]
    listing = (await client.get(f"/v1/cases/{case_id}/deliveries", headers=ADMIN)).text
    assert "13912345678" not in listing
    assert "13987654321" not in listing
    logs = caplog.text
    assert "notification delivered" in logs  # the logs were captured …
    assert "13912345678" not in logs  # … and hold no phone number
    assert "13987654321" not in logs
