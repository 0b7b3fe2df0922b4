"""通知记录: the notifications sent to one person, in the console against the real stack.
A 12345 ticket reaches a grid member by SMS; an admin opens that member's notification
record from the staff list and sees the SMS with the number masked as notify masks it;
the member opens their own from their notification preferences, and is told plainly
that someone else's is not theirs to read. axe on each page."""

import re
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

OPS = bearer("ops1", "ops", "510302")


async def staff_sms(journey: Any, case_id: str) -> dict[str, Any] | None:
    """The SMS about the case to a staff member, once notify has sent it."""
    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{journey.platform.urls['notify']}/v1/cases/{case_id}/deliveries", headers=OPS
        )
    assert response.status_code == 200, response.text
    sent = [
        d
        for d in response.json()
        if d["recipient_id"].startswith("staff:")
        and d["channel"] == "sms"
        and d["status"] == "delivered"
    ]
    return sent[0] if sent else None


async def test_an_admin_and_the_member_read_the_members_notifications(
    journey: Any, browser: Any
) -> None:
    case = await journey.push_ticket("小区门口的下水道堵了，污水漫到路上")
    sms = await eventually(lambda: staff_sms(journey, case["case_id"]), timeout=60)
    member = sms["recipient_id"].removeprefix("staff:")
    assert re.fullmatch(r"1\d{2}\*{4}\d{4}", sms["recipient_masked"]), sms

    assigned = await journey.case_in_dispatch(case["case_id"], status="assigned")
    assert assigned["assignee_id"] == member

    context, page, errors = await journey.desk(browser, "admin1")
    try:
        await page.goto(f"{journey.base_url}/console/admin?tab=staff")
        await page.get_by_label("区域或部门").fill(assigned["grid_code"])
        await page.get_by_role("button", name="查看").click()
        await page.locator(f'[data-deliveries="{member}"]').click()
        await page.get_by_role("heading", name=f"{member} 的通知记录").wait_for()
        row = page.locator(f'tr[data-delivery="{sms["id"]}"]')
        await row.wait_for()
        assert await row.locator("[data-recipient]").inner_text() == sms["recipient_masked"]
        text = await row.inner_text()
        assert "短信" in text and "已送达" in text
        assert "案件派给人员" in text and "case.assigned" not in text  # the event by its name
        assert case["tracking_no"] in text
        # The number only as notify masks it: the full number is nowhere on the page.
        table = await page.locator("[data-person-deliveries]").inner_text()
        assert not re.search(r"1\d{10}", table)
        assert await journey.accessibility_problems(page) == []
        assert errors == []
    finally:
        await context.close()

    context, page, errors = await journey.desk(browser, member)
    try:
        await page.goto(f"{journey.base_url}/console/settings?tab=preferences")
        await page.get_by_role("link", name="我的通知记录").click()
        await page.get_by_role("heading", name=f"{member} 的通知记录").wait_for()
        await page.locator(f'tr[data-delivery="{sms["id"]}"]').wait_for()
        assert await journey.accessibility_problems(page) == []

        await page.goto(f"{journey.base_url}/console/staff/admin1/deliveries")
        refused = page.get_by_role("alert").filter(has_text="只能查看自己的通知记录")
        await refused.wait_for()
        assert await page.locator("[data-person-deliveries]").count() == 0
        assert await journey.accessibility_problems(page) == []
        assert errors == []
    finally:
        await context.close()
