"""The anonymous Open311 list shows staff's notes only on requests sent through Open311."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import text

from gridcase_events import payloads
from gridcase_events.testing import eventually

pytestmark = pytest.mark.integration

NOTE = "已联系住户张三（桂花路1号1栋302），垃圾已清运"
AT = datetime(2026, 11, 21, 9, 31, tzinfo=UTC)


def _resolved(case_id: UUID, tracking_no: str, channel: str, at: datetime) -> Any:
    return payloads.CaseResolved(
        case_id=case_id,
        tracking_no=tracking_no,
        category_code="environment/garbage-overflow",
        priority="normal",
        channel=channel,
        case_version=4,
        actor_id="gm111a",
        actor_role="grid_member",
        at=at,
        grid_code="510302001001001",
        assignee_id="gm111a",
        note=NOTE,
    )


async def _resolved_view(client: Any, tracking_no: str) -> dict[str, Any]:
    async def fetch() -> dict[str, Any] | None:
        [request] = (await client.get(f"/open311/v2/requests/{tracking_no}.json")).json()
        return request if (request["status_notes"] or "").startswith("Resolved") else None

    result: dict[str, Any] = await eventually(fetch)
    return result


async def test_a_hotline_cases_resolution_note_is_not_shown(
    client: Any, catalogue: Any, push: Any, ticket: Any, publish: Any
) -> None:
    # (An Open311 request's own notes are shown: test_endpoints' status test.)
    hotline = (await push(ticket(ticket_no="NOTES-1"))).json()
    at = AT + timedelta(days=1)
    await publish(
        _resolved(UUID(hotline["case_id"]), hotline["tracking_no"], "hotline", at),
        subject=hotline["case_id"],
        source="dispatch",
        time=at,
    )

    shown = await _resolved_view(client, hotline["tracking_no"])

    assert shown["status_notes"] == "Resolved."
    for path in ("/open311/v2/requests.xml", "/open311/v2/requests.json"):
        assert "张三" not in (await client.get(path)).text


async def test_requests_xml_parses_with_a_control_character_in_a_note(
    client: Any, catalogue: Any, submit: Any, db: Any, publish: Any
) -> None:
    tracking_no = (await submit()).json()[0]["service_request_id"]
    async with db.connect() as conn:
        case_id = (
            await conn.execute(
                text("SELECT id FROM intake.cases WHERE tracking_no = :t"), {"t": tracking_no}
            )
        ).scalar_one()
    at = AT + timedelta(days=1)
    resolved = _resolved(case_id, tracking_no, "open311", at).model_copy(
        update={"note": "已清运\x01，垃圾桶\x0b已复位"}
    )
    await publish(resolved, subject=str(case_id), source="dispatch", time=at)
    await _resolved_view(client, tracking_no)

    response = await client.get("/open311/v2/requests.xml")

    assert response.status_code == 200
    document = ET.fromstring(response.content)  # noqa: S314 - our own answer
    [notes] = [e.text for e in document.iter("status_notes")]
    assert notes == "Resolved, awaiting verification: 已清运，垃圾桶已复位"


async def test_an_unknown_path_with_a_control_character_is_a_parsable_404(client: Any) -> None:
    response = await client.get("/open311/v2/a%01b.xml")

    assert response.status_code == 404
    document = ET.fromstring(response.content)  # noqa: S314 - our own answer
    description = document.findtext("error/description")
    assert description is not None
    assert "\x01" not in description
