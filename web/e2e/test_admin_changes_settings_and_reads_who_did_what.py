"""An admin changes the platform's settings in the console — a time limit and a
notification rule — and sees them saved (read again from the API), a bad value refused
with the API's own message next to its field, and a rule changed by someone else in the
meantime reported as a conflict; then reads what one dispatcher did across cases."""

import secrets
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DESK = {"width": 1440, "height": 900}
ADMIN = bearer("admin1", "admin", "510302")
DISPATCHER = bearer("dp1", "dispatcher", "510302")
GRID = "510302001001001"


async def admin_desk(browser: Any, journey: Any) -> tuple[Any, Any, list[str]]:
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
    return context, page, errors


async def api(journey: Any, service: str, method: str, path: str, **kwargs: Any) -> Any:
    async with httpx.AsyncClient() as client:
        response = await client.request(
            method, f"{journey.platform.urls[service]}{path}", headers=ADMIN, **kwargs
        )
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


async def test_an_admin_changes_a_time_limit_and_a_notification_rule(
    journey: Any, browser: Any
) -> None:
    rules_before = {r["event_type"]: r for r in await api(journey, "notify", "GET", "/v1/rules")}
    closed = rules_before["case.closed"]
    context, page, errors = await admin_desk(browser, journey)
    try:
        # 时限规则: the city's sign-for limit, changed for this district.
        await page.goto(f"{journey.base_url}/console/admin?tab=policies")
        await page.locator("#policies-title").wait_for()
        row = page.locator('[data-policy$="|sign_for"]').first
        key = await row.get_attribute("data-policy")
        assert key is not None
        _, category, priority, clock = key.split("|")
        await row.get_by_role("button", name="编辑").click()
        original = await page.locator("#policy-amount").input_value()

        # A bad value: the API's message under the field, nothing saved.
        await page.locator("#policy-amount").fill("-1")
        await page.get_by_role("button", name="保存").click()
        amount_item = page.locator(".el-form-item", has=page.locator("#policy-amount"))
        # In the reader's words, not pydantic's English ("Input should be greater than...").
        await amount_item.get_by_text("不能小于 0").wait_for()
        assert await journey.accessibility_problems(page) == []

        changed = str(int(original) + 7)
        await page.locator("#policy-amount").fill(changed)
        await page.get_by_role("button", name="保存").click()
        await page.get_by_role("status").filter(has_text="时限已保存").wait_for()
        mine = page.locator(f'[data-policy="510302|{category}|{priority}|{clock}"]')
        await mine.filter(has_text=changed).wait_for()
        stored = await api(journey, "escalation", "GET", "/v1/policies")
        assert [
            p["amount"]
            for p in stored
            if (p["district_code"], p["category_code"], p["priority"], p["clock"])
            == ("510302", category, priority, clock)
        ] == [int(changed)]

        # 通知规则: 结案 told to the residents only, not to the hotline any more.
        await page.locator('[data-tab="notify"]').click()
        await page.locator("#notify-title").wait_for()
        # A rule nobody has changed since installation was saved by notify's migration.
        seeded = next(e for e, r in rules_before.items() if r["updated_by"] == "migration")
        seeded_row = page.locator(f'[data-rule="{seeded}"]')
        await seeded_row.filter(has_text="系统初始设置").wait_for()
        assert "migration" not in await seeded_row.inner_text()
        await page.locator('[data-rule="case.closed"]').get_by_role("button", name="编辑").click()
        form = page.get_by_role("form", name="修改 case.closed 的通知规则")
        first = form.locator('[data-recipient="0"]')
        # A channel that cannot reach residents: refused, the API's words at that recipient.
        await first.get_by_text("企业微信", exact=True).click()
        await form.get_by_role("button", name="保存").click()
        await first.get_by_text("反映人无法通过企业微信收到通知，请去掉这个渠道").wait_for()
        assert await journey.accessibility_problems(page) == []
        await first.get_by_text("企业微信", exact=True).click()

        # Someone else changes the rule meanwhile: saving says so, and who.
        async with httpx.AsyncClient() as client:
            other = await client.put(
                f"{journey.platform.urls['notify']}/v1/rules/case.closed",
                json={"recipients": closed["recipients"]},
                headers=bearer("admin2", "admin", "510302"),
            )
        assert other.status_code == 200, other.text
        await form.get_by_role("button", name="保存").click()
        conflict = form.get_by_role("alert").filter(has_text="已被他人修改，请刷新后再改")
        await conflict.wait_for()
        assert "admin2" in await conflict.inner_text()
        await conflict.get_by_role("button", name="刷新").click()
        await conflict.wait_for(state="detached")  # the rule as it is now, read again

        hotline = form.locator('[data-recipient="1"]')
        assert "12345 热线" in await hotline.locator("select option:checked").inner_text()
        await hotline.get_by_role("button", name="删除第 2 个通知对象").click()
        await form.get_by_role("button", name="保存").click()
        await page.get_by_role("status").filter(has_text="“案件已结案”的通知规则已保存").wait_for()
        rules_after = {r["event_type"]: r for r in await api(journey, "notify", "GET", "/v1/rules")}
        assert rules_after["case.closed"]["recipients"] == [
            {"selector": "reporters", "channels": ["sms"]}
        ]
        assert rules_after["case.closed"]["updated_by"] == "admin1"
        shown = page.locator('[data-rule="case.closed"]')
        assert "12345 热线" not in await shown.inner_text()
        assert await journey.accessibility_problems(page) == []

        # 模板预览: the message a person would get, rendered by notify from sample data.
        await page.locator('[data-tab="templates"]').click()
        await page.get_by_role("button", name="预览", exact=True).click()
        rendered = page.locator("pre[role=status]")
        await rendered.wait_for()
        assert "GC-20261128-0001" in await rendered.inner_text()
        assert await journey.accessibility_problems(page) == []

        # 工作日历: a local holiday added, then listed with the year's days.
        await page.locator('[data-tab="calendar"]').click()
        await page.locator("#calendar-year").fill("2099")
        await page.get_by_role("button", name="查看", exact=True).click()
        await page.locator("#calendar-day").fill("2099-12-30")
        await page.locator("#calendar-name").fill("区庆（测试）")
        await page.get_by_role("button", name="登记", exact=True).click()
        listed = page.locator('[data-day="2099-12-30"]')
        await listed.wait_for()
        assert "区庆（测试）" in await listed.inner_text()
        assert await journey.accessibility_problems(page) == []

        # 时限试算: a 签收 clock started the evening before that holiday falls due as
        # escalation computes it (the page shows the API's answer, with the limit used).
        await page.locator("#deadline-clock").select_option("sign_for")
        await page.locator("#deadline-start").fill("2099-12-29T17:00")
        await page.get_by_role("button", name="试算", exact=True).click()
        shown_due = page.locator("[data-deadline-preview]")
        await shown_due.wait_for()
        expected = await api(
            journey,
            "escalation",
            "GET",
            "/v1/calendar/preview",
            params={
                "clock": "sign_for",
                "priority": "normal",
                "start": "2099-12-29T17:00:00+08:00",
            },
        )
        said = await shown_due.inner_text()
        assert expected["due_local"][:16].replace("T", " ") in said, (said, expected)
        assert str(expected["policy"]["amount"]) in said
        assert await journey.accessibility_problems(page) == []
        assert errors == []
    finally:
        await context.close()
        await api(
            journey,
            "notify",
            "PUT",
            "/v1/rules/case.closed",
            json={"recipients": closed["recipients"]},
        )


async def test_an_admin_reads_what_a_dispatcher_did(journey: Any, browser: Any) -> None:
    reason = f"居民来电补充了地址 {secrets.token_hex(3)}"
    pushed = await journey.push_ticket(
        f"路灯不亮 {secrets.token_hex(3)}",
        address="老城区那棵大榕树后面的小巷",
        lat=None,
        lon=None,
        category_hint=None,
    )
    case_id = pushed["case_id"]

    async def in_triage() -> dict[str, Any] | None:
        async with httpx.AsyncClient() as client:
            found = await client.get(
                f"{journey.platform.urls['dispatch']}/v1/cases/{case_id}", headers=DISPATCHER
            )
        body: dict[str, Any] = found.json()
        return body if found.status_code == 200 and body["status"] == "triage" else None

    case = await eventually(in_triage, timeout=60)
    async with httpx.AsyncClient() as client:
        dispatched = await client.post(
            f"{journey.platform.urls['dispatch']}/v1/cases/{case_id}/dispatch",
            json={"grid_code": GRID, "reason": reason},
            headers=DISPATCHER,
        )
    assert dispatched.status_code == 200, dispatched.text

    context, page, errors = await admin_desk(browser, journey)
    try:
        await page.goto(f"{journey.base_url}/console/admin?tab=staff")
        await page.get_by_label("区域或部门").fill("510302")
        await page.get_by_role("button", name="查看").click()
        await page.locator('[data-audit="dp1"]').click()
        await page.get_by_role("heading", name="dp1 的办理记录").wait_for()

        row = page.locator(f'[data-case="{case["tracking_no"]}"]')
        await row.wait_for()
        assert await row.get_attribute("data-action") == "dispatched"
        text = await row.inner_text()
        assert "派遣" in text and reason in text
        assert await journey.accessibility_problems(page) == []
        assert errors == []
    finally:
        await context.close()
