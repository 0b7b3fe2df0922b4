"""The desk hands one case on within its unit and watches the late ones: a dispatcher
改派 a case to the grid's B post, who finds it on the phone; a department operator 认领
a case waiting in the department's queue; the 超期/推诿 page lists a case handed on too
often (首问负责制), whose ownership deadline passed the moment it was handed on again."""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DISPATCHER = bearer("dp1", "dispatcher", "510302")
ADMIN = bearer("admin0", "admin")
GRID = "510302001001001"
OTHER_GRID = "510302001001002"
DESK = {"width": 1440, "height": 900}


async def desk_page(
    browser: Any, journey: Any, staff_id: str, *, home: str = "/console"
) -> tuple[Any, Any, list[str]]:
    """A desk-sized page signed in as `staff_id`, on their home screen (a department
    operator lands on the task list, and opens the console's case page from there),
    recording script errors."""
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
    await page.wait_for_url(f"**{home}")
    return context, page, errors


async def case_now(journey: Any, case_id: str, done: Any) -> dict[str, Any]:
    """The case as dispatch has it (read by the dispatcher), once `done(case)` holds."""

    async def check() -> dict[str, Any] | None:
        async with httpx.AsyncClient() as client:
            response = await client.get(
                f"{journey.platform.urls['dispatch']}/v1/cases/{case_id}", headers=DISPATCHER
            )
        found: dict[str, Any] = response.json()
        return found if response.status_code == 200 and done(found) else None

    result: dict[str, Any] = await eventually(check, timeout=60)
    return result


async def test_a_dispatcher_reassigns_a_case_and_the_new_assignee_sees_it(
    journey: Any, browser: Any, phone: Any
) -> None:
    words = f"楼道里堆满杂物，改派测试 {secrets.token_hex(3)}"
    pushed = await journey.push_ticket(words)
    case_id = pushed["case_id"]
    before = await journey.case_in_dispatch(case_id, status="assigned")
    assert before["assignee_id"] == "gm111a"

    context, page, errors = await desk_page(browser, journey, "dp1")
    try:
        await page.goto(f"{journey.base_url}/console/cases/{case_id}")
        await page.get_by_text(words).wait_for()
        await page.get_by_role("button", name="改派", exact=True).click()
        # The picker offers the grid's people on duty, not the one who has the case.
        picker = page.locator("#reassign-person")
        await picker.locator('option[value="gm111b"]').wait_for(state="attached")
        assert await picker.locator('option[value="gm111a"]').count() == 0
        await picker.select_option("gm111b")
        await page.get_by_label("理由", exact=True).fill("A岗今天外出培训，改由B岗办理")
        assert await journey.accessibility_problems(page) == []
        await page.get_by_role("button", name="确认改派").click()
        await page.get_by_role("status").filter(has_text="已改派").wait_for()
        assert errors == []
    finally:
        await context.close()

    after = await case_now(journey, case_id, lambda c: c["assignee_id"] == "gm111b")
    moved = [t for t in after["timeline"] if t["action"] == "reassigned"]
    assert [(t["actor"], t["detail"]["reason"]) for t in moved] == [
        ("dp1", "A岗今天外出培训，改由B岗办理")
    ]

    # The B post signs in on the phone and finds the case among their tasks.
    await phone.page.goto(f"{journey.base_url}/sign-in")
    await phone.page.locator('[data-staff-id="gm111b"]').click()
    await phone.page.wait_for_url("**/tasks")
    await phone.page.get_by_text(words).wait_for()
    assert await journey.accessibility_problems(phone.page) == []
    assert phone.console_errors == []


async def test_a_department_operator_claims_a_case_from_the_queue(
    journey: Any, browser: Any
) -> None:
    # Both water operators away while the case is routed: it waits in the queue.
    now = datetime.now(UTC)
    away = "".join(
        f"{who},{(now - timedelta(minutes=1)).isoformat()},{(now + timedelta(minutes=3)).isoformat()}\n"
        for who in ("water1", "water2")
    )
    async with httpx.AsyncClient() as client:
        imported = await client.post(
            f"{journey.platform.urls['dispatch']}/v1/directory/import",
            params={"kind": "absences"},
            files={"file": ("absences.csv", f"staff_id,start,end\n{away}".encode(), "text/csv")},
            headers=ADMIN,
        )
    assert imported.status_code == 200, imported.text
    words = f"整栋楼停水一天了，认领测试 {secrets.token_hex(3)}"
    pushed = await journey.push_ticket(words, category_hint="utility/water-outage")
    case_id = pushed["case_id"]
    queued = await case_now(journey, case_id, lambda c: c["status"] == "routed")
    assert (queued["department_code"], queued["assignee_id"]) == ("water", None)

    context, page, errors = await desk_page(browser, journey, "water1", home="/tasks")
    try:
        await page.goto(f"{journey.base_url}/console/cases/{case_id}")
        await page.get_by_text(words).wait_for()
        # Not the department's lead: 认领, but no 改派.
        assert await page.get_by_role("button", name="改派", exact=True).count() == 0
        await page.get_by_role("button", name="认领", exact=True).click()
        assert await journey.accessibility_problems(page) == []
        await page.get_by_role("button", name="确认认领").click()
        await page.get_by_role("status").filter(has_text="已认领").wait_for()
        assert await page.get_by_role("button", name="认领", exact=True).count() == 0
        assert errors == []
    finally:
        await context.close()

    claimed = await case_now(journey, case_id, lambda c: c["assignee_id"] == "water1")
    assert claimed["status"] == "assigned"
    assert [t["actor"] for t in claimed["timeline"] if t["action"] == "claimed"] == ["water1"]


async def test_the_overdue_page_lists_a_case_handed_on_too_often(
    journey: Any, browser: Any
) -> None:
    """The services run on the real clock; the deadline that passes without waiting is
    the ownership clock's: handed on more than ESCALATION_MAX_HANDOFFS (2) times, a case
    is buck-passing (推诿) at once — its ownership deadline is the moment of the hand-off."""
    words = f"路灯坏了没人管，推诿测试 {secrets.token_hex(3)}"
    pushed = await journey.push_ticket(words)
    case_id = pushed["case_id"]
    await journey.case_in_dispatch(case_id, status="assigned")
    dispatch = journey.platform.urls["dispatch"]
    async with httpx.AsyncClient() as client:
        for where in (
            {"target": "department", "department_code": "water"},
            {"target": "grid", "grid_code": OTHER_GRID},
            {"target": "department", "department_code": "water"},
        ):
            moved = await client.post(
                f"{dispatch}/v1/cases/{case_id}/transfer",
                json={**where, "reason": "不属于本单位职责"},
                headers=DISPATCHER,
            )
            assert moved.status_code == 200, moved.text

    async def listed() -> bool | None:
        async with httpx.AsyncClient() as client:
            response = await client.get(
                f"{journey.platform.urls['escalation']}/v1/overdue",
                params={"clock": "ownership"},
                headers=DISPATCHER,
            )
        assert response.status_code == 200, response.text
        return True if any(c["case_id"] == case_id for c in response.json()) else None

    await eventually(listed, timeout=60)

    context, page, errors = await desk_page(browser, journey, "dp1")
    try:
        await page.get_by_role("link", name="超期/推诿").click()
        await page.get_by_role("heading", name="超期与推诿案件").wait_for()
        await page.locator("[data-clock-filter]").select_option("ownership")
        await page.get_by_role("button", name="查询").click()
        row = page.locator(f'[data-overdue-table] tr[data-case="{case_id}"]')
        await row.wait_for()
        assert await row.get_attribute("data-kind") == "ownership"
        text = await row.inner_text()
        assert "推诿（无人接手）" in text and "超期" in text
        assert (
            await page.locator("[data-overdue-table] tbody tr:not([data-kind='ownership'])").count()
            == 0
        )
        caption = await page.locator("[data-overdue-table] caption").inner_text()
        assert "其中推诿" in caption
        assert await journey.accessibility_problems(page) == []

        await row.get_by_role("link", name=pushed["tracking_no"]).click()
        await page.wait_for_url(f"**/console/cases/{case_id}")
        await page.get_by_text(words).wait_for()
        assert errors == []
    finally:
        await context.close()


async def test_a_reassignment_on_a_case_signed_for_meanwhile_is_refused_with_the_conflict(
    journey: Any, browser: Any
) -> None:
    """改派 carries the version the desk read (If-Match): the A post signing for the case
    meanwhile wins, the desk is told, and the case stays with the one who signed for it."""
    words = f"电梯异响，改派冲突测试 {secrets.token_hex(3)}"
    pushed = await journey.push_ticket(words)
    case_id = pushed["case_id"]
    await journey.case_in_dispatch(case_id, status="assigned")

    context, page, errors = await desk_page(browser, journey, "dp1")
    try:
        await page.goto(f"{journey.base_url}/console/cases/{case_id}")
        await page.get_by_text(words).wait_for()
        actions = page.get_by_role("region", name="办理操作")
        await actions.locator('[data-action="reassign"]').click()
        picker = page.locator("#reassign-person")
        await picker.locator('option[value="gm111b"]').wait_for(state="attached")
        await picker.select_option("gm111b")
        await actions.get_by_label("理由", exact=True).fill("A岗外出")

        async with httpx.AsyncClient() as client:
            signed = await client.post(
                f"{journey.platform.urls['dispatch']}/v1/cases/{case_id}/accept",
                headers=journey.grid_member,
            )
        assert signed.status_code == 200, signed.text

        await actions.get_by_role("button", name="确认改派").click()
        await (
            page.get_by_role("alert")
            .filter(has_text="这件案子刚被别人处理过（现在是“已签收”），已为您刷新")
            .wait_for()
        )
        assert await journey.accessibility_problems(page) == []
        assert errors == []
    finally:
        await context.close()

    after = await case_now(journey, case_id, lambda c: c["status"] == "accepted")
    assert after["assignee_id"] == "gm111a"
    assert not [t for t in after["timeline"] if t["action"] == "reassigned"]
