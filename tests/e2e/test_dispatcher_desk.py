"""A dispatcher's desk through all four services: a ticket nobody could place waits in
triage; the dispatcher finds it by its tracking number and by its words, dispatches it,
and the row shows it assigned with the deadline escalation started; the grid member
gets the SMS."""

import json
import secrets
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from gridcase_events.kit import signing
from gridcase_events.testing import bearer, eventually

pytestmark = pytest.mark.e2e

HOTLINE_SECRET = "e2e-hotline-secret"
DISPATCHER = bearer("dp1", "dispatcher", "510302")
GM111A_PHONE = "13800000002"


async def test_a_triage_case_is_found_dispatched_and_shows_its_deadline(
    platform: Any, show_logs_on_failure: Any
) -> None:
    words = f"井盖松动{secrets.token_hex(3)}"
    ticket = {
        "ticket_no": f"E2E-{secrets.token_hex(4)}",
        "received_at": datetime.now(UTC).isoformat(),
        "content": f"小区门口{words}，请尽快处理",
        "category_hint": "facility/road-damage",
    }
    body = json.dumps(ticket, ensure_ascii=False).encode()
    dispatch_url = platform.urls["dispatch"]
    async with (
        httpx.AsyncClient(base_url=dispatch_url, headers=DISPATCHER, timeout=30) as desk,
        httpx.AsyncClient() as hotline,
    ):
        pushed = await hotline.post(
            f"{platform.urls['intake']}/v1/hotline/tickets",
            content=body,
            headers={
                "Content-Type": "application/json",
                signing.HEADER: signing.sign(HOTLINE_SECRET, body, now=datetime.now(UTC)),
            },
        )
        assert pushed.status_code == 201, pushed.text
        tracking_no = pushed.json()["tracking_no"]

        async def in_triage() -> list[dict[str, Any]] | None:
            page = (await desk.get("/v1/cases", params={"status": "triage"})).json()
            rows = [r for r in page["items"] if r["tracking_no"] == tracking_no]
            return rows or None

        [row] = await eventually(in_triage, timeout=60)
        by_words = (await desk.get("/v1/cases", params={"q": words})).json()
        by_number = (await desk.get("/v1/cases", params={"tracking_no": tracking_no})).json()
        assert [r["id"] for r in by_words["items"]] == [row["id"]]
        assert by_number["total"] == 1

        dispatched = await desk.post(
            f"/v1/cases/{row['id']}/dispatch",
            json={"grid_code": "510302001001001", "reason": "来电人说在桂花路1号门口"},
        )
        assert dispatched.status_code == 200, dispatched.text
        assert dispatched.json()["assignee_id"] == "gm111a"

        async def with_deadline() -> dict[str, Any] | None:
            page = (await desk.get("/v1/cases", params={"tracking_no": tracking_no})).json()
            found: dict[str, Any] = page["items"][0]
            return found if found["due_at"] else None

        assigned = await eventually(with_deadline, timeout=60)
    assert (assigned["status"], assigned["assignee_name"]) == ("assigned", "李磊静")
    assert (assigned["due_clock"], assigned["sla"]) == ("sign_for", "green")
    assert assigned["grid_name"] == "桂花社区一网格"

    async def sms() -> list[Any]:
        return [
            r for r in platform.sink.requests if r.json()["params"]["tracking_no"] == tracking_no
        ]

    [message] = await eventually(sms, timeout=60)
    assert message.json()["phone"] == GM111A_PHONE
