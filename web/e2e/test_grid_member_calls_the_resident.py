"""首次联系 with tap-to-call: the resident's number is masked on the case; the grid member
the case is assigned to taps to call, the app hands the number to the phone's dialer, and
dispatch keeps the reveal on the case's timeline. Nobody else gets the number."""

import secrets
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_the_assignee_taps_to_call_and_others_get_no_number(journey: Any, phone: Any) -> None:
    page, workbench = phone.page, journey.base_url
    content = f"楼上漏水，请联系我 {secrets.token_hex(3)}"
    pushed = await journey.push_ticket(content, caller_phone="13912345678")
    await journey.case_in_dispatch(pushed["case_id"], status="assigned")

    await page.goto(f"{workbench}/sign-in")
    await page.locator("button[data-staff-id=gm111a]").click()
    await page.wait_for_url(f"{workbench}/tasks")
    await page.goto(f"{workbench}/cases/{pushed['case_id']}")
    await page.get_by_text(content).wait_for()
    await page.get_by_role("button", name="签收").click()
    await page.get_by_role("status").filter(has_text="已签收").wait_for()
    assert "13912345678" not in await page.locator("main").inner_text()

    # The first-contact sheet shows the number masked, and calls on a tap.
    await page.get_by_role("button", name="首次联系").click()
    await page.get_by_text("诉求人电话：139****5678").wait_for()
    assert await journey.accessibility_problems(page) == []
    await page.get_by_role("button", name="拨打诉求人电话").click()
    dial = page.get_by_role("link", name="正在拨打 13912345678")
    await dial.wait_for()
    assert await dial.get_attribute("href") == "tel:13912345678"
    assert await page.get_by_label("联系情况（可不填）").input_value() == "已电话联系诉求人"
    await page.get_by_role("button", name="记录首次联系").click()
    await page.get_by_role("status").filter(has_text="已记录首次联系").wait_for()

    # The reveal is on the timeline; the number itself is nowhere on the page.
    await page.get_by_text("查看诉求人电话 · gm111a").wait_for()
    assert "13912345678" not in await page.locator("main").inner_text()

    # The B post of the same grid and a member of another grid get no number.
    async with httpx.AsyncClient() as client:
        for who in (
            bearer("gm111b", "grid_member", "510302001001001"),
            bearer("gm211a", "grid_member", "510302002001001"),
        ):
            answer = await client.post(
                f"{workbench}/api/dispatch/v1/cases/{pushed['case_id']}/reporter-phone",
                headers=who,
            )
            assert answer.status_code == 403
            assert "13912345678" not in answer.text
    # The dialer itself is not there in a headless browser: Chromium says so, nothing else.
    assert [e for e in phone.console_errors if "tel:" not in e] == []
