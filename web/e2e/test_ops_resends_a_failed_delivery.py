"""Ops in the console's 通知投递 page against the real stack: the SMS gateway refuses the
first SMS about a 12345 ticket (a 400: the delivery fails for good), ops sees the
failed delivery with the phone number masked as notify gives it, resends it, and the
gateway takes the resend. axe on the page."""

import re
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DESK = {"width": 1440, "height": 900}
OPS = bearer("ops1", "ops", "510302")


async def desk_page(browser: Any, journey: Any, staff_id: str) -> tuple[Any, Any]:
    context = await browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = await context.new_page()
    await page.goto(f"{journey.base_url}/sign-in")
    await page.locator(f'[data-staff-id="{staff_id}"]').click()
    await page.wait_for_url(re.compile(r".*/(console|tasks)$"))
    return context, page


async def deliveries_of(journey: Any, case_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{journey.platform.urls['notify']}/v1/cases/{case_id}/deliveries", headers=OPS
        )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def test_ops_sees_a_failed_delivery_and_resends_it(journey: Any, browser: Any) -> None:
    sink = journey.platform.sink
    sink.fail_next(400)
    case = await journey.push_ticket("路灯坏了一个星期，晚上很黑")

    async def failed() -> dict[str, Any] | None:
        rows = [d for d in await deliveries_of(journey, case["case_id"]) if d["status"] == "failed"]
        return rows[0] if rows else None

    delivery = await eventually(failed, timeout=60)
    assert re.fullmatch(r"1\d{2}\*{4}\d{4}", delivery["recipient_masked"]), delivery

    context, page = await desk_page(browser, journey, "ops1")
    try:
        await page.get_by_role("link", name="通知投递").click()
        await page.get_by_role("heading", name="通知投递").wait_for()
        row = page.locator(f'tr[data-delivery="{delivery["id"]}"]')
        await row.wait_for()
        # The number as notify masks it; the full number is nowhere on the page.
        # Whom: the reporter (反映人) or a member of staff, with the number as notify masks it.
        recipient = await row.locator("[data-recipient]").inner_text()
        kind, _, who = delivery["recipient_id"].partition(":")
        named = "反映人" if kind == "resident" else who
        assert recipient == f"{named} {delivery['recipient_masked']}", recipient
        # The channel and the template by the names the desk uses, not their codes.
        assert await row.locator('[data-channel="sms"]').inner_text() == "短信"
        assert await row.locator("[data-template]").inner_text() != delivery["template"]
        table = await page.locator("[data-deliveries-table]").inner_text()
        assert not re.search(r"1\d{10}", table)
        assert await journey.accessibility_problems(page) == []

        await row.get_by_role("button", name="重发").click()
        await row.locator("[data-outcome]").filter(has_text="已重发").wait_for()

        # The resend reaches the gateway, which takes it this time.
        async def delivered() -> bool | None:
            rows = await deliveries_of(journey, case["case_id"])
            resends = [d for d in rows if d["resent_from"] == delivery["id"]]
            return True if resends and resends[0]["status"] == "delivered" else None

        await eventually(delivered, timeout=60)
        # Resending it again is refused with a clear message (its resend has not failed).
        await page.get_by_role("button", name="查询").click()
        await page.locator(f'tr[data-delivery="{delivery["id"]}"]').get_by_role("checkbox").check()
        await page.get_by_role("button", name="重发所选（1）").click()
        await row.locator("[data-outcome]").wait_for()
        assert "已重发" not in await row.locator("[data-outcome]").inner_text()
        assert await journey.accessibility_problems(page) == []
    finally:
        await context.close()
