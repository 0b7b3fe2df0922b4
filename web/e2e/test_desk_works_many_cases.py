"""The desk with many cases at once: keys on the case table, a saved view, the search as
CSV, bulk 派遣 with a mixed result (each case's outcome shown), and two desks acting on one
case (the second sees the change announced, then the conflict message)."""

import secrets
from pathlib import Path
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


async def desk_page(
    browser: Any, journey: Any, staff_id: str, *, queues: bool = True
) -> tuple[Any, Any, list[str]]:
    context = await browser.new_context(
        viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
    )
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
    await page.wait_for_url("**/console")
    if queues:
        await page.locator('[data-queue="triage"]').wait_for()
    return context, page, errors


async def test_keys_a_saved_view_csv_and_bulk_dispatch_with_a_mixed_result(
    journey: Any, browser: Any, tmp_path: Path
) -> None:
    token = f"批量{secrets.token_hex(3)}"
    waiting = [await push_unplaceable_ticket(journey, f"{token} 路灯不亮 {n}") for n in (1, 2)]
    placed = await journey.push_ticket(f"{token} 垃圾满溢")
    await journey.case_in_dispatch(placed["case_id"], status="assigned")

    context, page, errors = await desk_page(browser, journey, "dp1")
    try:
        await page.get_by_role("textbox", name="查找案件").fill(token)
        await page.get_by_role("button", name="查找", exact=True).click()
        await page.get_by_role("heading", name="查找结果：共 3 件").wait_for()

        # Keys: j moves to the first row, x selects it; the help says so.
        await page.locator("body").click(position={"x": 5, "y": 300})
        await page.keyboard.press("j")
        await page.locator(".cases tbody tr.cursor-row").wait_for()
        await page.keyboard.press("x")
        await page.get_by_role("status").filter(has_text="已选 1 件").wait_for()
        await page.get_by_role("button", name="键盘快捷键").click()
        help_text = await page.get_by_role("dialog", name="键盘快捷键").inner_text()
        assert "下一行" in help_text and "选中 / 取消选中所在行" in help_text
        assert await journey.accessibility_problems(page) == []
        await page.get_by_role("button", name="关闭").click()

        # The search saved as a view, and applied again after going to a queue.
        await page.get_by_label("把当前查找保存为").fill(f"{token}视图")
        await page.get_by_role("button", name="保存视图").click()
        await page.get_by_role("status").filter(has_text=f"已保存视图“{token}视图”").wait_for()
        await page.locator('[data-queue="triage"]').click()
        await page.locator(f'[data-view="{token}视图"]').click()
        await page.get_by_role("heading", name=f"{token}视图：共 3 件").wait_for()

        # The search as CSV, downloaded with the token.
        async with page.expect_download() as download_info:
            await page.get_by_role("button", name="导出 CSV").click()
        download = await download_info.value
        saved = tmp_path / "cases.csv"
        await download.save_as(saved)
        csv_text = saved.read_text(encoding="utf-8-sig")
        assert csv_text.count(token) == 3

        # All three selected; 派遣 reaches the two in triage, the assigned one says why not.
        await page.get_by_role("checkbox", name="全选本页").check()
        await page.get_by_role("heading", name="批量处理所选 3 件").wait_for()
        await page.locator("#bulk-grid").select_option(GRID)
        await page.get_by_label("派遣理由").fill("同一片区，统一派往桂花社区一网格")
        await page.get_by_role("button", name="派遣 3 件").click()
        results = page.get_by_role("status").filter(has_text="结果：成功 2 件，共 3 件")
        await results.wait_for()
        assert await results.locator('[data-result="ok"]').count() == 2
        failed = results.locator('[data-result="failed"]')
        assert await failed.count() == 1
        assert "未处理：案件现为“已派”，不能这样处理" in await failed.inner_text()
        assert placed["tracking_no"] in await failed.inner_text()
        assert await journey.accessibility_problems(page) == []
        for case_id in waiting:
            await journey.case_in_dispatch(case_id, status="assigned")
        assert errors == []
    finally:
        await context.close()


async def test_two_desks_act_on_one_case_and_the_second_is_told(journey: Any, browser: Any) -> None:
    words = f"两人同时处理 {secrets.token_hex(3)}"
    case_id = await push_unplaceable_ticket(journey, words)
    first_context, first, first_errors = await desk_page(browser, journey, "dp1")
    second_context, second, second_errors = await desk_page(browser, journey, "dc1")
    try:
        for page in (first, second):
            await page.goto(f"{journey.base_url}/console/cases/{case_id}")
            await page.get_by_text(words).wait_for()

        # The first desk dispatches it to a grid.
        await first.get_by_label("选择网格").select_option(GRID)
        await first.get_by_label("派遣理由").fill("地址已核实")
        await first.get_by_role("button", name="确认派遣").click()
        await first.get_by_role("status").filter(has_text="已派遣").wait_for()

        # Its clocks show (escalation starts them from dispatch's event; the page's live
        # check brings them): sign-for and resolution, each with its colour and time left.
        clocks = first.get_by_role("region", name="办理时限")
        await clocks.locator('[data-clock="sign_for"] [data-sla]').wait_for(timeout=40_000)
        resolution = clocks.locator('[data-clock="resolution"]')
        await resolution.wait_for(timeout=40_000)
        assert await resolution.locator("[data-sla]").get_attribute("data-sla") == "green"
        assert "办结时限" in await resolution.inner_text()
        assert "剩" in await resolution.inner_text()
        assert await journey.accessibility_problems(first) == []

        # The second desk, still reading the case as it was, is told of the change…
        changed = second.get_by_role("alert").filter(has_text="这件案子刚被别人改动了")
        await changed.wait_for(timeout=30_000)
        assert "现在是“已派”" in await changed.inner_text()
        assert await second.locator("h1 [data-status]").inner_text() == "待派"
        assert await journey.accessibility_problems(second) == []

        # …and its 转派 on the old version gets the conflict message, the case reloaded.
        actions = second.get_by_role("region", name="办理操作")
        await actions.locator('[data-action="transfer"]').click()
        await actions.get_by_role("radio", name="职能部门").check()
        await actions.get_by_label("选择职能部门").select_option("water")
        await actions.get_by_label("理由", exact=True).fill("供水问题")
        await actions.get_by_role("button", name="确认转派").click()
        await (
            second.get_by_role("alert")
            .filter(has_text="这件案子刚被别人处理过（现在是“已派”），已为您刷新")
            .wait_for()
        )
        # The reload follows the message: wait for the heading to show it.
        await second.locator("h1 [data-status]").filter(has_text="已派").wait_for()
        assert await journey.accessibility_problems(second) == []
        assert first_errors == [] and second_errors == []
    finally:
        await first_context.close()
        await second_context.close()


async def test_an_admin_imports_a_staff_file_with_one_bad_row_and_nothing_is_applied(
    journey: Any, browser: Any, tmp_path: Path
) -> None:
    newcomer = f"new{secrets.token_hex(3)}"
    staff_file = tmp_path / "staff.csv"
    staff_file.write_text(
        "staff_id,name,phone,role,area_code,department_code,post\n"
        f"{newcomer},新同事,13900000001,grid_member,510302001001002,,B\n"
        f"{newcomer}x,另一位,13900000002,grid_wizard,510302001001002,,B\n",
        encoding="utf-8",
    )
    context, page, errors = await desk_page(browser, journey, "admin1", queues=False)
    try:
        await page.get_by_role("link", name="管理").click()
        await page.get_by_role("heading", name="系统管理").wait_for()
        await page.get_by_label("导入内容").select_option("staff")
        await page.get_by_label("选择文件").set_input_files(str(staff_file))
        await page.get_by_role("button", name="导入", exact=True).click()

        await (
            page.get_by_role("alert")
            .filter(has_text="文件有 1 处问题，没有导入任何内容")
            .wait_for()
        )
        problem = page.locator('[data-problem-row="2"]')
        assert "role" in await problem.inner_text()
        assert await journey.accessibility_problems(page) == []

        async with httpx.AsyncClient() as client:
            staff = await client.get(
                f"{journey.platform.urls['dispatch']}/v1/directory/areas/510302001001002/staff",
                headers=DISPATCHER,
            )
        assert newcomer not in {person["staff_id"] for person in staff.json()}

        # The other pages of administration pass axe too.
        for tab in ("staff", "policies", "ladder", "calendar", "notify", "templates"):
            await page.locator(f'[data-tab="{tab}"]').click()
            await page.locator(f"#{tab}-title").wait_for()
            assert await journey.accessibility_problems(page) == [], tab
        assert errors == []
    finally:
        await context.close()


async def test_the_search_filters_by_category_and_channel_and_keeps_them_in_the_url(
    journey: Any, browser: Any
) -> None:
    token = f"筛选{secrets.token_hex(3)}"
    unplaced = await push_unplaceable_ticket(journey, f"{token} 路灯不亮")
    placed = await journey.push_ticket(f"{token} 垃圾满溢")
    await journey.case_in_dispatch(placed["case_id"], status="assigned")

    context, page, errors = await desk_page(browser, journey, "dp1")
    try:
        await page.get_by_role("textbox", name="查找案件").fill(token)
        await page.get_by_role("button", name="查找", exact=True).click()
        await page.get_by_role("heading", name="查找结果：共 2 件").wait_for()

        # By category: only the garbage case, and the search is in the page's URL.
        await page.get_by_label("类别编码").fill("environment/garbage-overflow")
        await page.get_by_role("button", name="查找", exact=True).click()
        await page.get_by_role("heading", name="查找结果：共 1 件").wait_for()
        rows = page.locator(".cases tbody tr")
        assert await rows.count() == 1
        await rows.locator(f'[data-case-id="{placed["case_id"]}"]').wait_for()
        assert await page.locator(f'[data-case-id="{unplaced}"]').count() == 0
        assert "category_code=environment" in page.url
        assert await journey.accessibility_problems(page) == []

        # A reload opens the same search.
        await page.reload()
        await page.get_by_role("heading", name="查找结果：共 1 件").wait_for()
        assert await page.get_by_label("类别编码").input_value() == "environment/garbage-overflow"

        # By channel: both came by the 12345 hotline, none by patrol.
        await page.get_by_label("类别编码").fill("")
        await page.get_by_label("渠道").select_option("hotline")
        await page.get_by_role("button", name="查找", exact=True).click()
        await page.get_by_role("heading", name="查找结果：共 2 件").wait_for()
        await page.get_by_label("渠道").select_option("patrol")
        await page.get_by_role("button", name="查找", exact=True).click()
        await page.get_by_role("heading", name="查找结果：共 0 件").wait_for()
        assert "channel=patrol" in page.url
        assert errors == []
    finally:
        await context.close()
