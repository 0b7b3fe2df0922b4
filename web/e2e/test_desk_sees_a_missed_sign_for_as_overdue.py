"""A case nobody signed for (签收) in time shows as 超期 on the desk, against the real
stack. The district's sign-for limit for the category is set to 0 minutes, so the
deadline runs out the moment the case is assigned: nothing waits for time to pass (the
service processes run on the real clock). The grid member has not signed for it; the
dispatcher's case page shows the 签收 clock as 超期, and the 超期/推诿 page lists it as
签收超时. axe on each."""

import secrets
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ADMIN = bearer("admin1", "admin", "510302")
DISPATCHER = bearer("dp1", "dispatcher", "510302")
CATEGORY = "environment/garbage-overflow"


async def test_a_case_not_signed_for_in_time_is_shown_overdue(journey: Any, browser: Any) -> None:
    escalation = journey.platform.urls["escalation"]
    async with httpx.AsyncClient() as client:
        limit = await client.put(
            f"{escalation}/v1/policies",
            json=[
                {
                    "district_code": "510302",
                    "category_code": CATEGORY,
                    "priority": "*",
                    "clock": "sign_for",
                    "amount": 0,
                    "unit": "minutes",
                }
            ],
            headers=ADMIN,
        )
    assert limit.status_code == 200, limit.text

    words = f"垃圾桶满了没人清（签收超期 {secrets.token_hex(3)}）"
    pushed = await journey.push_ticket(words, category_hint=CATEGORY)
    case_id = pushed["case_id"]
    case = await journey.case_in_dispatch(case_id, status="assigned")
    assert case["status"] == "assigned"  # nobody signed for it

    async def sign_for_breached() -> dict[str, Any] | None:
        async with httpx.AsyncClient() as client:
            response = await client.get(
                f"{escalation}/v1/cases/{case_id}/clocks", headers=DISPATCHER
            )
        if response.status_code != 200:
            return None
        found = [c for c in response.json() if c["kind"] == "sign_for" and c["breached"]]
        return found[0] if found else None

    clock = await eventually(sign_for_breached, timeout=60)
    assert clock["sla"] == "breached"

    context, page, errors = await journey.desk(browser, "dp1")
    try:
        assert page.url.endswith("/console")  # a dispatcher lands on the console
        await page.goto(f"{journey.base_url}/console/cases/{case_id}")
        await page.get_by_text(words).wait_for()
        sign_for = page.locator('[data-clock="sign_for"]')
        await sign_for.locator('[data-sla="breached"]').wait_for()
        text = await sign_for.inner_text()
        assert "签收" in text and "超期" in text
        assert await journey.accessibility_problems(page) == []

        await page.goto(f"{journey.base_url}/console/overdue")
        row = page.locator(f'tr[data-case="{case_id}"][data-kind="sign_for"]')
        await row.wait_for()
        text = await row.inner_text()
        assert pushed["tracking_no"] in text and "签收超时" in text
        assert await journey.accessibility_problems(page) == []

        assert errors == []
    finally:
        await context.close()
