"""The dispatcher's desk: a 12345 ticket whose address the gazetteer does not know (and
no coordinates) waits in triage; a dispatcher signs in, finds it by words of its content,
dispatches it to a grid, and sees it turn 已派 with its deadline on the row."""

import secrets
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DESK = {"width": 1440, "height": 900}
DISPATCHER = bearer("dp1", "dispatcher", "510302")
GRID = "510302001001001"


async def push_unplaceable_ticket(journey: Any, content: str) -> str:
    pushed = await journey.push_ticket(
        content, address="老城区那棵大榕树后面的小巷", lat=None, lon=None, category_hint=None
    )
    case_id: str = pushed["case_id"]

    async def in_triage() -> bool | None:
        async with httpx.AsyncClient() as client:
            found = await client.get(
                f"{journey.platform.urls['dispatch']}/v1/cases/{case_id}", headers=DISPATCHER
            )
        return True if found.status_code == 200 and found.json()["status"] == "triage" else None

    await eventually(in_triage, timeout=60)
    return case_id


async def test_a_dispatcher_finds_a_triage_case_by_its_words_and_dispatches_it_to_a_grid(
    journey: Any, browser: Any
) -> None:
    words = f"楼道里堆满杂物挡住逃生通道 {secrets.token_hex(3)}"
    case_id = await push_unplaceable_ticket(journey, f"{words}，请尽快处理")

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
    try:
        # A desk role signs in and lands on the console, its queues with counts.
        await page.goto(f"{journey.base_url}/sign-in")
        await page.locator('[data-staff-id="dp1"]').click()
        await page.wait_for_url("**/console")
        triage = page.locator('[data-queue="triage"]')
        await triage.wait_for()
        assert (await triage.inner_text()).startswith("待派")
        await page.get_by_role("heading", name="待派：共").wait_for()
        assert await journey.accessibility_problems(page) == []

        # Found by words of its content.
        await page.get_by_role("textbox", name="查找案件").fill(words)
        await page.get_by_role("button", name="查找", exact=True).click()
        await page.get_by_role("heading", name="查找结果：共 1 件").wait_for()
        row = page.locator(".cases tbody tr").filter(has_text=words)
        assert await row.locator("[data-status]").inner_text() == "待派"
        await row.locator(f'[data-case-id="{case_id}"]').click()

        # The case page: what the resident said, the address, the timeline; 派遣 to a grid.
        await page.get_by_text(f"{words}，请尽快处理").wait_for()
        await page.get_by_text("老城区那棵大榕树后面的小巷").wait_for()
        assert await page.locator("h1 [data-status]").inner_text() == "待派"
        assert await journey.accessibility_problems(page) == []
        await page.get_by_label("选择网格").select_option(GRID)
        await page.get_by_label("派遣理由").fill("来电人补充：地址在桂花路1号1栋")
        await page.get_by_role("button", name="确认派遣").click()
        await page.get_by_role("status").filter(has_text="已派遣").wait_for()
        assert await page.locator("h1 [data-status]").inner_text() == "已派"
        await page.get_by_text("原因：来电人补充：地址在桂花路1号1栋").wait_for()
        assert await journey.accessibility_problems(page) == []

        # Back on the list, the row reads 已派 with its deadline once escalation's clock runs.
        await page.get_by_role("link", name="← 返回列表").click()

        async def row_with_deadline() -> bool | None:
            await page.get_by_role("button", name="查找", exact=True).click()
            await page.get_by_role("heading", name="查找结果：共 1 件").wait_for()
            found = page.locator(".cases tbody tr").filter(has_text=words)
            if await found.locator("[data-due-at]").count() == 0:
                return None
            return True

        await eventually(row_with_deadline, timeout=60)
        row = page.locator(".cases tbody tr").filter(has_text=words)
        assert await row.locator("[data-status]").inner_text() == "已派"
        assert await row.locator("[data-sla]").inner_text() == "绿灯"
        assert "剩 " in await row.locator(".due").inner_text()
        assert "桂花社区一网格" in await row.inner_text()
        assert await journey.accessibility_problems(page) == []
        assert errors == []
    finally:
        await context.close()
