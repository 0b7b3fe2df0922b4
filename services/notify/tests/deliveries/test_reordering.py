"""Progress seen before the reporter (intake's and dispatch's events come through
different consumer groups): the resident still hears of it, once."""

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from gridcase_events import envelope, payloads
from gridcase_events.kit.db import create_engine
from gridcase_events.kit.pii import PiiCipher
from gridcase_events.kit.settings import DEV_PII_KEY
from gridcase_events.testing import HttpSink, eventually

pytestmark = pytest.mark.integration

GRID = "510302001001001"
CIPHER = PiiCipher(DEV_PII_KEY)


def contact(phone: str) -> payloads.Contact:
    return payloads.Contact(
        phone_masked=phone[:3] + "****" + phone[-4:], phone_encrypted=CIPHER.encrypt(phone)
    )


def settled(items: list[dict[str, Any]]) -> bool:
    return all(i["status"] not in ("pending", "sending") for i in items)


async def progress_seen(database_url: str, event_id: UUID) -> None:
    """Waits until notify has handled the progress event (dispatch's consumer group)."""
    engine = create_engine(database_url, pool_size=1)
    try:

        async def handled() -> bool:
            async with engine.connect() as conn:
                found = await conn.execute(
                    text("SELECT 1 FROM notify.owed_notices WHERE event_id = :e"), {"e": event_id}
                )
                return found.first() is not None

        await eventually(handled)
    finally:
        await engine.dispose()


def accepted(case_id: UUID, tracking_no: str, at: Any) -> payloads.CaseAccepted:
    return payloads.CaseAccepted(
        case_id=case_id,
        tracking_no=tracking_no,
        category_code=None,
        priority="normal",
        channel="hotline",
        external_ref="T-3001",
        actor_id="gm111a",
        actor_role="grid_member",
        at=at,
        grid_code=GRID,
        assignee_id="gm111a",
    )


async def test_an_acceptance_seen_before_the_report_reaches_the_resident_once(
    client: Any,
    publish: Any,
    deliveries: Any,
    clock: Any,
    reporters_known: Any,
    fresh_database: str,
    http_sink: HttpSink,
) -> None:
    case_id = envelope.new_id()
    event = await publish(
        accepted(case_id, "GC-20261121-LATE01", clock.now() + timedelta(minutes=5)),
        subject=str(case_id),
        source="dispatch",
    )
    await progress_seen(fresh_database, event.id)
    await publish(
        payloads.CaseReported(
            case_id=case_id,
            tracking_no="GC-20261121-LATE01",
            channel="hotline",
            external_ref="T-3001",
            reported_at=clock.now(),
            content="楼道堆物",
            priority="normal",
            reporter=contact("13911112222"),
        ),
        subject=str(case_id),
        source="intake",
    )
    await reporters_known(case_id, 1)

    [sms] = await deliveries(case_id, settled)

    assert sms["recipient_id"] == f"resident:{case_id}"
    assert sms["status"] == "delivered"
    assert sms["trigger_event_type"] == "case.accepted"
    sent = [r.json() for r in http_sink.requests if r.path == "/sms/send"]
    assert [r["phone"] for r in sent] == ["13911112222"]
    assert "GC-20261121-LATE01" in sent[0]["content"]


async def test_a_merged_reporter_learned_late_hears_of_progress_made_after_the_merge(
    client: Any,
    publish: Any,
    deliveries: Any,
    clock: Any,
    reporters_known: Any,
    fresh_database: str,
    http_sink: HttpSink,
) -> None:
    case_id, early_id, late_id = envelope.new_id(), envelope.new_id(), envelope.new_id()
    event = await publish(
        accepted(case_id, "GC-20261121-LATE02", clock.now() + timedelta(hours=1)),
        subject=str(case_id),
        source="dispatch",
    )
    await progress_seen(fresh_database, event.id)
    for dup, phone, merged_at in (
        (early_id, "13933334444", clock.now()),  # merged before the acceptance
        (late_id, "13955556666", clock.now() + timedelta(hours=2)),  # after it
    ):
        await publish(
            payloads.CaseMerged(
                case_id=dup,
                tracking_no=f"GC-20261121-{phone[-6:]}",
                channel="wish_wall",
                duplicate_of=case_id,
                duplicate_of_tracking_no="GC-20261121-LATE02",
                reason="same address",
                reporter=contact(phone),
                merged_at=merged_at,
            ),
            subject=str(dup),
            source="intake",
        )
    await reporters_known(case_id, 2)  # planning commits with the reporter

    [sms] = await deliveries(case_id, settled)

    assert sms["recipient_id"] == f"resident:{early_id}"
    assert sms["status"] == "delivered"
    sent = [r.json() for r in http_sink.requests if r.path == "/sms/send"]
    assert [r["phone"] for r in sent] == ["13933334444"]
    assert "GC-20261121-334444" in sent[0]["content"]
