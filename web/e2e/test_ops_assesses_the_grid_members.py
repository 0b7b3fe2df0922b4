"""The grid members' assessment (网格员考核) against the real stack: two 12345 tickets in
桂花社区一网格 for 李磊静 (gm111a), one signed for, and a household visit she records in
the app (intake → ``visit.recorded`` → escalation). Ops opens /console/assessment for
桂花社区 and sees every figure exactly as the assessment API gives it, the visit
counted, with the formula; axe on the page."""

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from gridcase_events.testing import bearer, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DESK = {"width": 1440, "height": 900}
OPS = bearer("ops1", "ops", "510302")
COMMUNITY = "510302001001"
MEMBER = "gm111a"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


async def assessment_api(journey: Any, month: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{journey.platform.urls['escalation']}/v1/reports/assessment",
            params={"month": month, "community": COMMUNITY},
            headers=OPS,
        )
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def member_of(report: dict[str, Any]) -> dict[str, Any] | None:
    for community in report["communities"]:
        for member in community["members"]:
            if member["member_id"] == MEMBER:
                found: dict[str, Any] = member
                return found
    return None


async def test_ops_sees_the_assessment_as_the_api_gives_it(journey: Any, browser: Any) -> None:
    pushed = [
        await journey.push_ticket("小区门口垃圾桶满了没人清运"),
        await journey.push_ticket("楼下垃圾堆放三天了，气味很大"),
    ]
    for case in pushed:
        await journey.case_in_dispatch(case["case_id"], status="assigned")
    async with httpx.AsyncClient() as client:
        accepted = await client.post(
            f"{journey.platform.urls['dispatch']}/v1/cases/{pushed[0]['case_id']}/accept",
            headers=journey.grid_member,
        )
    assert accepted.status_code == 200, accepted.text
    async with httpx.AsyncClient() as client:
        visited = await client.post(
            f"{journey.platform.urls['intake']}/v1/visits",
            json={"address": "桂花路1号1栋2单元301", "household": "王家"},
            headers=journey.grid_member,
        )
    assert visited.status_code == 201, visited.text
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")

    async def counted() -> dict[str, Any] | None:
        member = member_of(await assessment_api(journey, month))
        sign_for = (
            next(c for c in member["components"] if c["name"] == "on_time_sign_for")
            if member
            else None
        )
        counted = sign_for and sign_for["sample"] >= 2 and sign_for["numerator"] >= 1
        return member if counted and member and member["visits"] >= 1 else None

    await eventually(counted, timeout=60)

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
        await page.goto(f"{journey.base_url}/sign-in")
        await page.locator('[data-staff-id="ops1"]').click()
        await page.wait_for_url(re.compile(r".*/console$"))  # ops works at the desk
        await page.get_by_role("link", name="网格员考核").click()
        await page.wait_for_url(re.compile(r".*/console/assessment$"))
        await page.get_by_label("月份").fill(month)
        await page.get_by_label("社区").select_option(COMMUNITY)
        await page.get_by_role("button", name="查询").click()
        row = page.locator(f'[data-community="{COMMUNITY}"] tr[data-member="{MEMBER}"]')
        await row.wait_for()

        member = member_of(await assessment_api(journey, month))
        assert member is not None
        figure = row.locator("[data-figure]")
        shown = {
            (await cell.get_attribute("data-figure") or ""): (await cell.inner_text()).strip()
            for cell in await figure.all()
        }
        expected = {
            "rank": str(member["rank"]) if member["rank"] is not None else "样本不足",
            "member": f"李磊静 {MEMBER}",  # the name from the directory, then the id
            "cases": str(member["cases"]),
            "score": "—" if member["score"] is None else f"{member['score']:.1f}",
            "review": "待复核" if member["review"] else "",
        }
        for part in member["components"]:
            expected[part["name"]] = f"{percent(part['value'])} 样本 {part['sample']}"
        patrol = next(p for p in member["components"] if p["name"] == "patrol_compliance")
        visits = next(p for p in member["components"] if p["name"] == "visits")
        expected["patrol_compliance"] = (
            f"{percent(patrol['value'])} 达标 {patrol['numerator']}/{patrol['sample']} 天"
        )
        expected["visits"] = (
            f"{percent(visits['value'])} 走访 {member['visits']} 次/目标 {visits['sample']}"
        )
        assert shown == expected
        # Below the default minimum sample of 5: a score, no rank, not flagged.
        assert shown["rank"] == "样本不足" and shown["review"] == ""
        assert shown["on_time_sign_for"].endswith("样本 2") or member["cases"] > 2
        formula = page.locator("[data-formula]")
        assert "得分 = 100 × Σ(权重 × 指标值) ÷ Σ权重" in await formula.inner_text()
        assert (
            "按期办结 25%"
            in await formula.locator('[data-weight="on_time_resolution"]').inner_text()
        )
        assert (
            "巡查达标 12%"
            in await formula.locator('[data-weight="patrol_compliance"]').inner_text()
        )
        assert "走访 1 次" in shown["visits"]  # her visit reached the assessment
        assert await page.locator("[data-not-included]").count() == 0
        assert await journey.accessibility_problems(page) == []
        assert errors == []
    finally:
        await context.close()
