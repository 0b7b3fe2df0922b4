"""A desk user reads names, not codes: a case's 已发送的通知 names each channel (短信,
站内消息) and the person it went to, its timeline names the grid and the grid member it
went to, and why routing placed it there (in Chinese, the grid by its name); and the
case table's search keeps its labels on one line at desk widths. axe on the pages."""

import re
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

OPS = bearer("ops1", "ops", "510302")
GRID_NAME = "桂花社区一网格"
MEMBER = ("gm111a", "李磊静")

# How many lines each label's text takes (one rectangle per line of a text node).
LINES_OF_LABELS = """
() => [...document.querySelectorAll('form.search label, [data-search-filters] label')]
  .filter((label) => label.offsetParent !== null)
  .map((label) => {
    const text = [...label.childNodes].find((n) => n.nodeType === 3 && n.textContent.trim())
    const range = document.createRange()
    range.selectNodeContents(text)
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)))
    return [text.textContent.trim(), tops.size]
  })
"""


async def desk_page(
    browser: Any, journey: Any, staff_id: str, width: int = 1440
) -> tuple[Any, Any]:
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = await context.new_page()
    await page.goto(f"{journey.base_url}/sign-in")
    await page.locator(f'[data-staff-id="{staff_id}"]').click()
    await page.wait_for_url(re.compile(r".*/console$"))
    return context, page


@pytest.mark.parametrize("width", [1024, 1280, 1440])
async def test_the_search_labels_stay_on_one_line(journey: Any, browser: Any, width: int) -> None:
    context, page = await desk_page(browser, journey, "dp1", width)
    try:
        await page.locator("[data-search-filters]").wait_for()
        lines = dict(await page.evaluate(LINES_OF_LABELS))
        assert lines["查找案件"] == 1, lines
        assert {label: n for label, n in lines.items() if n != 1} == {}
        # Still usable: the words to look for and the button fit beside the label.
        box = await page.get_by_role("textbox", name="查找案件").bounding_box()
        assert box is not None and box["width"] >= 200
        assert await page.get_by_role("button", name="查找", exact=True).is_visible()
        assert await journey.accessibility_problems(page) == []
    finally:
        await context.close()


async def test_a_cases_notifications_name_the_channel_and_the_person(
    journey: Any, browser: Any
) -> None:
    case = await journey.push_ticket("小区门口的路灯坏了三天")
    await journey.case_in_dispatch(case["case_id"], status="assigned")

    async def notified() -> list[dict[str, Any]] | None:
        async with httpx.AsyncClient() as client:
            response = await client.get(
                f"{journey.platform.urls['notify']}/v1/cases/{case['case_id']}/deliveries",
                headers=OPS,
            )
        rows: list[dict[str, Any]] = response.json() if response.status_code == 200 else []
        channels = {row["channel"] for row in rows if row["recipient_id"].endswith(MEMBER[0])}
        return rows if {"sms", "inapp"} <= channels else None

    deliveries = await eventually(notified, timeout=60)

    context, page = await desk_page(browser, journey, "dp1")
    try:
        await page.goto(f"{journey.base_url}/console/cases/{case['case_id']}")
        sent = page.get_by_role("region", name="已发送的通知")
        await sent.locator("tbody tr").nth(len(deliveries) - 1).wait_for()
        await sent.locator("[data-recipient]").filter(has_text=MEMBER[1]).first.wait_for()
        table = await sent.inner_text()
        assert "短信" in table and "站内消息" in table, table
        for code in ("sms", "inapp", "staff:", MEMBER[0]):
            assert code not in table, (code, table)
        assert not re.search(r"1\d{10}", table)

        # The timeline names where the case went and to whom.
        timeline = await page.get_by_role("region", name="办理记录（每次流转）").inner_text()
        assert f"→ {GRID_NAME}" in timeline and f"→ {MEMBER[1]}" in timeline, timeline
        # Why routing placed it there, in Chinese and by the grid's name (not dispatch's
        # English "point (…) lies in residential grid 5103…").
        assert f"原因：上报坐标位于{GRID_NAME}内" in timeline, timeline
        assert "lies in" not in timeline and "residential grid" not in timeline, timeline
        assert await journey.accessibility_problems(page) == []
    finally:
        await context.close()
