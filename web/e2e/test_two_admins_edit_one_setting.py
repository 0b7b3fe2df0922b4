"""Two admins open the same time limit in two pages (the same version); the first saves,
the second is told plainly that someone else changed it (已被他人修改，请刷新后再改) and
nothing of theirs is saved; after 刷新 the second saves their change on the new version.
axe on the conflict."""

from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DESK = {"width": 1440, "height": 900}
ADMIN = bearer("admin1", "admin", "510302")


async def admin_page(browser: Any, journey: Any) -> tuple[Any, Any, list[str]]:
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
    await page.locator('[data-staff-id="admin1"]').click()
    await page.wait_for_url("**/console")
    await page.goto(f"{journey.base_url}/console/admin?tab=policies")
    await page.locator("#policies-title").wait_for()
    return context, page, errors


async def stored_amount(journey: Any, key: str) -> int | None:
    async with httpx.AsyncClient() as client:
        listed = await client.get(
            f"{journey.platform.urls['escalation']}/v1/policies", headers=ADMIN
        )
    for p in listed.json():
        if f"{p['district_code']}|{p['category_code']}|{p['priority']}|{p['clock']}" == key:
            return int(p["amount"])
    return None


async def test_the_second_of_two_admins_editing_one_limit_is_told_of_the_conflict(
    journey: Any, browser: Any
) -> None:
    first, one, one_errors = await admin_page(browser, journey)
    second, two, two_errors = await admin_page(browser, journey)
    try:
        # Both edit the same row of this district, as read at the same version.
        row = one.locator('[data-policy^="510302|"][data-policy$="|callback"]').first
        if not await row.count():  # the district has no own row yet: make one from the city's
            city = one.locator('[data-policy^="|"][data-policy$="|callback"]').first
            await city.get_by_role("button", name="编辑").click()
            await one.get_by_role("button", name="保存").click()
            await one.get_by_role("status").filter(has_text="时限已保存").wait_for()
            await two.reload()
            await two.locator("#policies-title").wait_for()
        key = await row.get_attribute("data-policy")
        assert key is not None
        original = await stored_amount(journey, key)
        assert original is not None
        for page in (one, two):
            await page.locator(f'[data-policy="{key}"]').get_by_role("button", name="编辑").click()

        await one.locator("#policy-amount").fill(str(original + 1))
        await one.get_by_role("button", name="保存").click()
        await one.get_by_role("status").filter(has_text="时限已保存").wait_for()

        await two.locator("#policy-amount").fill(str(original + 2))
        await two.get_by_role("button", name="保存").click()
        conflict = two.get_by_role("alert").filter(has_text="已被他人修改，请刷新后再改")
        await conflict.wait_for()
        assert "admin1" in await conflict.inner_text()
        assert await stored_amount(journey, key) == original + 1  # the second saved nothing
        assert await journey.accessibility_problems(two) == []

        # 刷新: the row as it is now back in the form; saving again goes through.
        await conflict.get_by_role("button", name="刷新").click()
        await conflict.wait_for(state="detached")
        assert await two.locator("#policy-amount").input_value() == str(original + 1)
        await two.locator("#policy-amount").fill(str(original + 2))
        await two.get_by_role("button", name="保存").click()
        await two.get_by_role("status").filter(has_text="时限已保存").wait_for()
        assert await stored_amount(journey, key) == original + 2
        assert one_errors == [] and two_errors == []
    finally:
        await first.close()
        await second.close()


async def test_the_second_of_two_admins_changing_one_calendar_day_is_told_of_the_conflict(
    journey: Any, browser: Any
) -> None:
    day = "2098-10-08"
    async with httpx.AsyncClient() as client:
        added = await client.put(
            f"{journey.platform.urls['escalation']}/v1/calendar/days",
            json=[{"day": day, "working": False, "name": "国庆调休（测试）"}],
            headers=ADMIN,
        )
    assert added.status_code == 204, added.text
    first, one, one_errors = await admin_page(browser, journey)
    second, two, two_errors = await admin_page(browser, journey)
    try:
        for page in (one, two):
            await page.locator('[data-tab="calendar"]').click()
            await page.locator("#calendar-year").fill("2098")
            await page.get_by_role("button", name="查看", exact=True).click()
            await page.locator(f'[data-day="{day}"]').get_by_role("button", name="编辑").click()

        await one.locator("#calendar-name").fill("区庆（测试）")
        await one.get_by_role("button", name="登记", exact=True).click()
        await one.locator(f'[data-day="{day}"]').filter(has_text="区庆（测试）").wait_for()

        await two.locator("#calendar-working").select_option(label="调休上班")
        await two.get_by_role("button", name="登记", exact=True).click()
        conflict = two.get_by_role("alert").filter(has_text="已被他人修改，请刷新后再改")
        await conflict.wait_for()
        assert await journey.accessibility_problems(two) == []

        await conflict.get_by_role("button", name="刷新").click()
        await conflict.wait_for(state="detached")
        assert await two.locator("#calendar-name").input_value() == "区庆（测试）"
        await two.locator("#calendar-working").select_option(label="调休上班")
        await two.get_by_role("button", name="登记", exact=True).click()
        await two.locator(f'[data-day="{day}"]').filter(has_text="调休上班").wait_for()
        assert one_errors == [] and two_errors == []
    finally:
        await first.close()
        await second.close()
