"""Staff's notes reach the public only on requests sent through Open311 (issue 16,
finding 3): the public status (`/v1/public/cases/{no}`, `/status/{no}`) of another
channel's case shows the status alone, a merged reporter never hears the other case's
notes, and the anonymous Open311 list names only Open311 requests."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from gridcase_events import payloads
from gridcase_events.testing import eventually

pytestmark = pytest.mark.integration

NOTE = "已联系住户张三（桂花路1号1栋302），垃圾已清运"
AT = datetime(2026, 11, 21, 9, 31, tzinfo=UTC)


async def _resolve(publish: Any, client: Any, case_id: str, tracking_no: str) -> None:
    """Publishes dispatch's `case.resolved` with a note naming a resident, and waits
    until the case's public status is resolved."""
    at = AT + timedelta(days=1)
    await publish(
        payloads.CaseResolved(
            case_id=UUID(case_id),
            tracking_no=tracking_no,
            category_code="environment/garbage-overflow",
            priority="normal",
            channel="hotline",
            case_version=4,
            actor_id="gm111a",
            actor_role="grid_member",
            at=at,
            grid_code="510302001001001",
            assignee_id="gm111a",
            note=NOTE,
        ),
        subject=case_id,
        source="dispatch",
        time=at,
    )

    async def resolved() -> bool:
        response = await client.get(f"/v1/public/cases/{tracking_no}")
        return bool(response.json()["status"] == "resolved")

    await eventually(resolved)


async def _case_id(client: Any, tracking_no: str, db: Any) -> str:
    from sqlalchemy import text

    async with db.connect() as conn:
        found = await conn.execute(
            text("SELECT id FROM intake.cases WHERE tracking_no = :t"), {"t": tracking_no}
        )
        return str(found.scalar_one())


async def test_a_hotline_cases_public_status_shows_no_staff_note(
    client: Any, catalogue: Any, push: Any, ticket: Any, publish: Any
) -> None:
    created = (await push(ticket(ticket_no="PUBLIC-NOTES-1"))).json()
    await _resolve(publish, client, created["case_id"], created["tracking_no"])

    status = (await client.get(f"/v1/public/cases/{created['tracking_no']}")).json()
    page = (await client.get(f"/status/{created['tracking_no']}")).text

    assert status["status"] == "resolved"
    assert status["status_note"] is None
    assert [(s["status"], s["note"]) for s in status["steps"]] == [("resolved", None)]
    assert "<strong>已办理，等待核查</strong>" in page  # the fixed status text
    assert "张三" not in page


async def test_an_open311_requests_public_status_shows_its_own_notes(
    client: Any, catalogue: Any, submit: Any, publish: Any, db: Any
) -> None:
    tracking_no = (await submit()).json()[0]["service_request_id"]
    await _resolve(publish, client, await _case_id(client, tracking_no, db), tracking_no)

    status = (await client.get(f"/v1/public/cases/{tracking_no}")).json()
    page = (await client.get(f"/status/{tracking_no}")).text

    assert status["status_note"] == NOTE
    assert [(s["status"], s["note"]) for s in status["steps"]] == [("resolved", NOTE)]
    assert f"已办理，等待核查：{NOTE}" in page


async def test_a_merged_reporter_does_not_hear_the_other_cases_notes(
    client: Any, catalogue: Any, submit: Any, publish: Any, db: Any
) -> None:
    first = (await submit()).json()[0]["service_request_id"]
    second = (await submit(description="垃圾桶还是满的")).json()[0]["service_request_id"]
    await _resolve(publish, client, await _case_id(client, first, db), first)

    status = (await client.get(f"/v1/public/cases/{second}")).json()
    page = (await client.get(f"/status/{second}")).text

    assert status["merged_into"] == first
    assert status["status"] == "resolved"  # it follows the case it joined...
    assert status["status_note"] is None  # ...but not what was said about that case
    assert [(s["status"], s["note"]) for s in status["steps"]] == [("resolved", None)]
    assert "张三" not in page


async def test_the_anonymous_list_names_only_open311_requests(
    client: Any, catalogue: Any, submit: Any, push: Any, ticket: Any
) -> None:
    hotline = (
        await push(ticket(ticket_no="PUBLIC-LIST-1", category_hint="utility/water-outage"))
    ).json()["tracking_no"]
    open311 = (await submit()).json()[0]["service_request_id"]

    async def ids(**params: str) -> list[str]:
        response = await client.get("/open311/v2/requests.json", params=params)
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert await ids() == [open311]
    assert await ids(status="open") == [open311]
    assert await ids(service_code="environment/garbage-overflow") == [open311]
    # Named explicitly, any channel's case is found (GeoReport v2: the id overrides).
    assert await ids(service_request_id=hotline) == [hotline]
    assert sorted(await ids(service_request_id=f"{hotline},{open311}")) == sorted(
        [hotline, open311]
    )
    one = (await client.get(f"/open311/v2/requests/{hotline}.json")).json()
    assert [r["service_request_id"] for r in one] == [hotline]
