"""The anonymous Open311 list shows staff's notes only on requests sent through Open311."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

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
