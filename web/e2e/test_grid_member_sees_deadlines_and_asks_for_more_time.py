"""A grid member sees each task's deadline in 今日任务 (earliest first, with the time left
and a 正常/临期/紧急/超时 mark), opens a case, finds the way there (导航), records first
contact (after a conflict, told in words), and asks for more time (申请延期)."""

import asyncio
import secrets
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_grid_member_sees_deadlines_and_asks_for_more_time(journey: Any, phone: Any) -> None:
    page, workbench = phone.page, journey.base_url
    tag = secrets.token_hex(3)
    first = await journey.push_ticket(f"桂花路1号1栋楼道灯不亮 {tag}")
    second = await journey.push_ticket(f"桂花路1号1栋门口井盖松动 {tag}")
    for pushed in (first, second):
        await journey.case_in_dispatch(pushed["case_id"], status="assigned")
    dispatch = journey.platform.urls["dispatch"]

    # Escalation starts the sign-for clocks; dispatch's rows carry them once they run.
    async def deadlines() -> dict[str, str | None]:
        async with httpx.AsyncClient() as client:
            rows = await client.get(
                f"{dispatch}/v1/cases",
                params={"assignee_id": "gm111a", "q": tag, "sort": "due_at"},
                headers=bearer("dp1", "dispatcher", "510302"),
            )
        assert rows.status_code == 200, rows.text
        return {row["id"]: row["due_at"] for row in rows.json()["items"]}

    for _ in range(200):
        due = await deadlines()
        if due.get(first["case_id"]) and due.get(second["case_id"]):
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError(f"the clocks did not start: {due}")
    earliest, latest = sorted((first, second), key=lambda p: due[p["case_id"]])

    await page.goto(f"{workbench}/")
    await page.get_by_role("button", name="以 李磊静（网格员 · 桂花社区一网格 · A岗）登录").click()
    await page.wait_for_url(f"{workbench}/tasks")

    # Each task carries its deadline; the earliest comes first.
    cards = page.locator("a[data-tracking-no]")
    early_card = page.locator(f'a[data-tracking-no="{earliest["tracking_no"]}"]')
    late_card = page.locator(f'a[data-tracking-no="{latest["tracking_no"]}"]')
    await late_card.wait_for()
    order = await cards.evaluate_all("cards => cards.map(c => c.dataset.trackingNo)")
    assert order.index(earliest["tracking_no"]) < order.index(latest["tracking_no"])
    deadline = early_card.locator("[data-sla]")
    assert await deadline.get_attribute("data-sla") == "green"
    words = await deadline.inner_text()
    assert "正常" in words and "剩余" in words and "前" in words
    assert await journey.accessibility_problems(page) == []

    # The case: sign for it, then 导航 opens the map app at the case's place.
    await late_card.click()
    await page.wait_for_url(f"{workbench}/cases/{latest['case_id']}")
    await page.get_by_role("button", name="签收").click()
    await page.get_by_role("status").filter(has_text="已签收").wait_for()
    navigate = page.get_by_role("link", name="导航", exact=True)
    assert (await navigate.get_attribute("href") or "").startswith("geo:29.355,104.7725?q=")
    web_map = await page.get_by_role("link", name="网页地图").get_attribute("href")
    assert web_map is not None and "position=104.7725%2C29.355" in web_map
    assert await page.get_by_text("尚未联系群众").count() == 1
    # The case's clocks (escalation): the step, its colour in words, the time left.
    clocks = page.locator("[data-clocks]")
    await clocks.wait_for()
    assert "办理时限" in await clocks.inner_text()
    assert "剩余" in await clocks.inner_text() or "已超时" in await clocks.inner_text()
    assert await journey.accessibility_problems(page) == []

    # Meanwhile the case moves on elsewhere: 首次联系 meets the conflict, said in words,
    # and the page shows the case as it is now.
    async with httpx.AsyncClient() as client:
        elsewhere = await client.post(
            f"{dispatch}/v1/cases/{latest['case_id']}/contact",
            json={"note": "电话联系"},
            headers=journey.grid_member,
        )
    assert elsewhere.status_code == 200, elsewhere.text
    await page.get_by_role("button", name="首次联系").click()
    await page.get_by_role("button", name="已电话联系诉求人").click()
    assert await journey.accessibility_problems(page) == []
    await page.get_by_role("button", name="记录首次联系").click()
    alert = page.get_by_role("alert")
    await alert.wait_for()
    assert await alert.inner_text() == (
        "案件已被别人更新（现在状态：办理中），已为您刷新，请查看后再操作。"
    )
    await page.get_by_text("尚未联系群众").wait_for(state="detached")
    assert await page.get_by_role("button", name="首次联系").count() == 0

    # 申请延期: what is typed survives a reload; then seven days, a common reason.
    await page.get_by_role("button", name="申请延期").click()
    await page.get_by_label("延期原因").fill("等待物业回复")
    await page.reload()
    await page.get_by_role("button", name="申请延期").click()
    assert await page.get_by_label("延期原因").input_value() == "等待物业回复"
    await page.get_by_role("button", name="7 天").click()
    await page.get_by_role("button", name="需要采购材料").click()
    assert await page.get_by_label("延期原因").input_value() == "需要采购材料"
    assert await journey.accessibility_problems(page) == []
    await page.get_by_role("button", name="提交延期申请").click()
    await page.get_by_role("status").filter(has_text="延期申请已提交").wait_for()
    assert "申请中，待审批" in await page.locator("[data-extension]").inner_text()
    assert await page.get_by_role("button", name="申请延期").count() == 0
    assert await journey.accessibility_problems(page) == []

    case = await journey.case_in_dispatch(latest["case_id"], status="accepted")
    assert case["extension_status"] == "pending"
    asked = [e for e in case["timeline"] if e["action"] == "request_extension"]
    assert [(e["actor"], e["detail"]["reason"]) for e in asked] == [("gm111a", "需要采购材料")]
    contacts = [e for e in case["timeline"] if e["action"] == "contact"]
    assert len(contacts) == 1
    assert phone.console_errors == []

    # Offline (a basement, a lift): the installed app still opens, with the last task list
    # and the cases opened, under a banner that says so.
    await page.goto(f"{workbench}/tasks")
    await late_card.wait_for()
    assert await page.evaluate(
        "navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller !== null"
        " || new Promise(ok => navigator.serviceWorker.addEventListener("
        "'controllerchange', () => ok(true))))"
    )
    manifest = await page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["short_name"] == "网格通"
    assert await page.locator("[data-offline]").count() == 0
    await page.context.set_offline(True)
    await page.reload()
    await page.get_by_text("离线，显示的是上次的数据").wait_for()
    await late_card.wait_for()
    await early_card.wait_for()
    await late_card.click()
    await page.wait_for_url(f"{workbench}/cases/{latest['case_id']}")
    assert "申请中，待审批" in await page.locator("[data-extension]").inner_text()
    assert await page.locator("[data-offline]").count() == 1
    # The clocks kept from the last visit are shown offline, with no error.
    await page.locator("[data-clocks]").wait_for()
    assert await page.get_by_role("alert").count() == 0
    await page.context.set_offline(False)
