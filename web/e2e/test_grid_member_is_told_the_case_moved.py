"""A grid member acts on a case that moved on since the page was opened: the page says so
in words, shows the case as it is now, and the next action works. Then they return the
case with one of the district's managed phrases (常用语) as the reason; the reason typed
survives a reload."""

import secrets
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DISPATCHER = bearer("dp1", "dispatcher", "510302")


async def test_signing_for_a_case_signed_for_elsewhere_shows_the_conflict_then_return_works(
    journey: Any, phone: Any
) -> None:
    page, workbench = phone.page, journey.base_url
    content = f"桂花路1号1栋门口共享单车乱停，堵住消防通道 {secrets.token_hex(3)}"
    # The district's dispatcher keeps its 退单 phrases; the phone offers them, not its own.
    async with httpx.AsyncClient() as client:
        kept = await client.put(
            f"{journey.platform.urls['dispatch']}/v1/phrases",
            json={"action": "return", "phrases": ["非本网格事项，请改派", "重复诉求，已合并办理"]},
            headers=DISPATCHER,
        )
    assert kept.status_code == 200, kept.text
    pushed = await journey.push_ticket(content)
    await journey.case_in_dispatch(pushed["case_id"], status="assigned")
    await page.goto(f"{workbench}/cases/{pushed['case_id']}")
    await page.get_by_role("button", name="以 李磊静（网格员 · 桂花社区一网格 · A岗）登录").click()
    await page.get_by_text(content).wait_for()

    # Meanwhile the same grid member signs for it on another phone.
    async with httpx.AsyncClient() as client:
        elsewhere = await client.post(
            f"{journey.platform.urls['dispatch']}/v1/cases/{pushed['case_id']}/accept",
            headers=journey.grid_member,
        )
    assert elsewhere.status_code == 200, elsewhere.text

    await page.get_by_role("button", name="签收").click()

    alert = page.get_by_role("alert")
    await alert.wait_for()
    assert await alert.inner_text() == (
        "案件已被别人更新（现在状态：办理中），已为您刷新，请查看后再操作。"
    )
    assert await page.locator(".card [data-status]").inner_text() == "办理中"
    assert await journey.accessibility_problems(page) == []

    # What is typed into the 退单 reason survives a reload.
    await page.get_by_role("button", name="退单").click()
    await page.get_by_label("退单原因").fill("诉求人电话打不通")
    await page.reload()
    await page.get_by_text(content).wait_for()
    await page.get_by_role("button", name="退单").click()
    assert await page.get_by_label("退单原因").input_value() == "诉求人电话打不通"

    # 退单 with one of the district's phrases as the reason; the built-in ones are not offered.
    phrases = page.locator("[data-phrases] button")
    await phrases.first.wait_for()
    assert await phrases.all_inner_texts() == ["非本网格事项，请改派", "重复诉求，已合并办理"]
    await page.get_by_role("button", name="重复诉求，已合并办理").click()
    assert await page.get_by_label("退单原因").input_value() == "重复诉求，已合并办理"
    assert await journey.accessibility_problems(page) == []
    await page.get_by_role("button", name="确认退单").click()
    await page.get_by_role("status").filter(has_text="已退单").wait_for()
    # Sent: the draft is forgotten.
    assert await page.evaluate("Object.keys(localStorage).filter(k => k.includes('.return'))") == []

    async with httpx.AsyncClient() as client:
        case = await client.get(
            f"{journey.platform.urls['dispatch']}/v1/cases/{pushed['case_id']}",
            headers=DISPATCHER,
        )
    assert case.status_code == 200, case.text
    returns = [e for e in case.json()["timeline"] if e["action"] == "return"]
    assert [(e["actor"], e["detail"]["reason"]) for e in returns] == [
        ("gm111a", "重复诉求，已合并办理")
    ]
    assert phone.console_errors == []
