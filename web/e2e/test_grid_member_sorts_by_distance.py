"""今日任务 按距离: the grid member taps it, the browser asks for their position (only then),
and the cases come nearest first with how far each is; refused, the page says so in
words and the list stays in deadline order."""

import secrets
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

# Two places on 桂花路 in grid 510302001001001, about 330 m apart.
SOUTH = (29.3550, 104.7725)
NORTH = (29.3580, 104.7725)


async def test_the_nearest_case_comes_first_once_the_member_shares_where_they_are(
    journey: Any, phone: Any
) -> None:
    page, workbench = phone.page, journey.base_url
    context = page.context
    tag = secrets.token_hex(3)
    south = await journey.push_ticket(f"桂花路1号垃圾桶满溢 {tag}", lat=SOUTH[0], lon=SOUTH[1])
    north = await journey.push_ticket(f"桂花路北段路灯不亮 {tag}", lat=NORTH[0], lon=NORTH[1])
    for pushed in (south, north):
        await journey.case_in_dispatch(pushed["case_id"], status="assigned")

    await page.goto(f"{workbench}/")
    await page.get_by_role("button", name="以 李磊静（网格员 · 桂花社区一网格 · A岗）登录").click()
    await page.wait_for_url(f"{workbench}/tasks")
    await page.get_by_text("共 2 件").wait_for()
    cards = page.locator("a[data-tracking-no]")
    by_deadline = await cards.evaluate_all("cs => cs.map(c => c.dataset.trackingNo)")
    assert sorted(by_deadline) == sorted([south["tracking_no"], north["tracking_no"]])
    assert await page.get_by_role("button", name="按时限").get_attribute("aria-pressed") == "true"
    assert await page.locator("[data-distance]").count() == 0

    # Refused: a plain sentence, and the deadline order stays.
    await page.get_by_role("button", name="按距离").click()
    alert = page.get_by_role("alert")
    await alert.wait_for()
    assert await alert.inner_text() == (
        "没有获得位置权限，仍按时限排列。可在浏览器设置中允许定位后再试。"
    )
    assert await cards.evaluate_all("cs => cs.map(c => c.dataset.trackingNo)") == by_deadline
    assert await page.get_by_role("button", name="按时限").get_attribute("aria-pressed") == "true"
    assert await journey.accessibility_problems(page) == []

    # Allowed, standing next to the case that comes last by deadline: it comes first.
    last = south if by_deadline[-1] == south["tracking_no"] else north
    first = north if last is south else south
    stand = SOUTH if last is south else NORTH
    await context.grant_permissions(["geolocation"], origin=workbench)
    await context.set_geolocation({"latitude": stand[0], "longitude": stand[1], "accuracy": 10})
    await page.get_by_role("button", name="按距离").click()
    await page.locator("[data-distance]").first.wait_for()
    assert await page.get_by_role("button", name="按距离").get_attribute("aria-pressed") == "true"
    assert await page.get_by_role("alert").count() == 0
    assert await cards.evaluate_all("cs => cs.map(c => c.dataset.trackingNo)") == [
        last["tracking_no"],
        first["tracking_no"],
    ]
    assert await page.locator("[data-distance]").all_inner_texts() == ["距我 10 米", "距我 330 米"]
    assert await journey.accessibility_problems(page) == []

    # Back to the deadline order; the distances stay on the cards.
    await page.get_by_role("button", name="按时限").click()
    assert await cards.evaluate_all("cs => cs.map(c => c.dataset.trackingNo)") == by_deadline
    assert phone.console_errors == []
