"""督办 from the console against the real stack: the station master of 桂花社区 issues a
supervision order on a slow case of 桂花社区一网格 from the case page, sees it on the case
page and, on the station page, as issued; the grid's leader answers it on the case page
(督办回复, once) and the station master reads the answer there; once the grid member has
resolved the case the station page shows the order answered. axe on every screen."""

import re
import secrets
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DESK = {"width": 1440, "height": 900}


async def desk_page(browser: Any, journey: Any, staff_id: str) -> tuple[Any, Any, list[str]]:
    context = await browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = await context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    await page.goto(f"{journey.base_url}/sign-in")
    await page.locator(f'[data-staff-id="{staff_id}"]').click()
    await page.wait_for_url(re.compile(r".*/(console|tasks)$"))
    return context, page, errors


async def test_a_station_master_issues_a_supervision_order_and_sees_it_answered(
    journey: Any, browser: Any
) -> None:
    pushed = await journey.push_ticket(f"路灯坏了一周还没人修 {secrets.token_hex(3)}")
    case_id = pushed["case_id"]
    await journey.case_in_dispatch(case_id, status="assigned")
    reason = f"超过三天未签收，请立即处理 {secrets.token_hex(3)}"

    context, page, errors = await desk_page(browser, journey, "sm11")
    try:
        await page.goto(f"{journey.base_url}/console/cases/{case_id}")
        await page.locator('[data-action="supervise"]').click()
        await page.locator("#action-text").fill(reason)
        await page.get_by_role("button", name="发出督办").click()
        await page.get_by_text("已发出督办").wait_for()
        # The order is on the case page at once, with who issued it and why.
        order = page.locator('section[aria-labelledby="supervisions-title"] li').filter(
            has_text=reason
        )
        await order.wait_for()
        assert "sm11" in await order.inner_text()
        assert await journey.accessibility_problems(page) == []

        # The station page lists it as issued.
        await page.goto(f"{journey.base_url}/console/station")
        listed = page.locator("li").filter(has_text=pushed["tracking_no"]).filter(has_text=reason)
        await listed.wait_for()
        assert (await listed.inner_text()).strip().endswith("已下发")
        assert await journey.accessibility_problems(page) == []

        # The order is addressed to the grid: its leader answers it on the case page, once.
        answer = f"已联系路灯所，今天下午更换 {secrets.token_hex(3)}"
        leader_context, leader, leader_errors = await desk_page(browser, journey, "gl111")
        try:
            await leader.goto(f"{journey.base_url}/console/cases/{case_id}")
            mine = leader.locator('section[aria-labelledby="supervisions-title"] li').filter(
                has_text=reason
            )
            await mine.get_by_label("回复督办（只能回复一次）").fill(answer)
            assert await journey.accessibility_problems(leader) == []
            await mine.get_by_role("button", name="提交回复").click()
            await mine.locator("[data-answer]").filter(has_text=answer).wait_for()
            assert "gl111" in await mine.locator("[data-answer]").inner_text()
            assert await mine.get_by_role("button", name="提交回复").count() == 0
            assert leader_errors == []
        finally:
            await leader_context.close()
        await page.goto(f"{journey.base_url}/console/cases/{case_id}")
        await order.locator("[data-answer]").filter(has_text=answer).wait_for()
        assert await journey.accessibility_problems(page) == []
        await page.goto(f"{journey.base_url}/console/station")
        await listed.wait_for()
        assert "已答复" in await listed.inner_text()

        # The grid member answers by resolving the case; the station page says so.
        dispatch = journey.platform.urls["dispatch"]
        async with httpx.AsyncClient() as client:
            accepted = await client.post(
                f"{dispatch}/v1/cases/{case_id}/accept", headers=journey.grid_member
            )
            assert accepted.status_code == 200, accepted.text
            resolved = await client.post(
                f"{dispatch}/v1/cases/{case_id}/resolve",
                json={"note": "路灯已更换"},
                headers=journey.grid_member,
            )
            assert resolved.status_code == 200, resolved.text
        await page.reload()
        await listed.wait_for()
        assert "已答复" in await listed.inner_text()
        assert errors == []
    finally:
        await context.close()
