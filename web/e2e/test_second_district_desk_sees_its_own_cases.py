"""Two districts in one deployment, in the browser: the demo's second district (滨河区
510303, deploy/demo/510303) imported beside the first; a 12345 ticket in each, with the
same words. The second district's dispatcher signs in and finds only their district's
case; the first district's dispatcher only theirs. axe on the result."""

import json
import re
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DESK = {"width": 1440, "height": 900}
SECOND = Path(__file__).resolve().parents[2] / "deploy" / "demo" / "510303"
CITY = bearer("cc1", "city_center")
DEPLOYMENT_ADMIN = bearer("admin0", "admin")


def _first_grid_centre() -> tuple[str, float, float]:
    """The second district's first grid: its code and a point inside it (lat, lon)."""
    features = json.loads((SECOND / "areas.geojson").read_text())["features"]
    grid = next(f for f in features if f["properties"]["level"] == "grid")
    ring = grid["geometry"]["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return (
        grid["properties"]["code"],
        (min(lats) + max(lats)) / 2,
        (min(lons) + max(lons)) / 2,
    )


@pytest.fixture(scope="module")
async def second_district(platform: Any) -> str:
    """The second district's areas, gazetteer and staff, imported by the deployment's
    admin; returns its first grid's code."""
    async with httpx.AsyncClient() as client:
        for kind in ("areas", "gazetteer", "staff"):
            name = {"areas": "areas.geojson"}.get(kind, f"{kind}.csv")
            answer = await client.post(
                f"{platform.urls['dispatch']}/v1/directory/import",
                params={"kind": kind},
                files={"file": (name, (SECOND / name).read_bytes())},
                headers=DEPLOYMENT_ADMIN,
                timeout=120,
            )
            assert answer.status_code == 200, answer.text
    return _first_grid_centre()[0]


async def _ticket_at(journey: Any, content: str, *, lat: float, lon: float) -> str:
    """A 12345 ticket at a point, pushed again while intake has not yet learned the
    district's grids from the directory (422 outside_district, nothing stored)."""

    async def pushed() -> str | None:
        try:
            answer = await journey.push_ticket(content, lat=lat, lon=lon)
        except AssertionError as refused:
            if "outside_district" in str(refused):
                return None
            raise
        return answer["case_id"]

    result: str = await eventually(pushed, timeout=60)
    return result


async def _in_dispatch(journey: Any, case_id: str) -> None:
    async def routed() -> bool | None:
        async with httpx.AsyncClient() as client:
            answer = await client.get(
                f"{journey.platform.urls['dispatch']}/v1/cases/{case_id}", headers=CITY
            )
        return True if answer.status_code == 200 and answer.json()["status"] == "assigned" else None

    await eventually(routed, timeout=60)


async def _found_by(browser: Any, journey: Any, staff_id: str, words: str) -> list[str]:
    """Signs `staff_id` in at the development sign-in, searches the console for
    `words`; the case ids found (axe checked on the result)."""
    context = await browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = await context.new_page()
    try:
        await page.goto(f"{journey.base_url}/sign-in")
        await page.locator(f'[data-staff-id="{staff_id}"]').click()
        await page.wait_for_url(re.compile(r".*/console$"))
        await page.get_by_role("textbox", name="查找案件").fill(words)
        await page.get_by_role("button", name="查找", exact=True).click()
        await page.get_by_role("heading", name=re.compile(r"查找结果：共 \d+ 件")).wait_for()
        assert await journey.accessibility_problems(page) == []
        rows = page.locator(".cases tbody tr [data-case-id]")
        return [
            await rows.nth(i).get_attribute("data-case-id") or "" for i in range(await rows.count())
        ]
    finally:
        await context.close()


async def test_each_districts_dispatcher_finds_only_their_districts_case(
    journey: Any, browser: Any, second_district: str
) -> None:
    words = f"井盖松动 {secrets.token_hex(3)}"
    _, lat, lon = _first_grid_centre()
    first = (await journey.push_ticket(f"{words}，桂花路"))["case_id"]
    second = await _ticket_at(journey, f"{words}，银杏社区", lat=lat, lon=lon)
    for case_id in (first, second):
        await _in_dispatch(journey, case_id)

    assert await _found_by(browser, journey, "hp-dp1", words) == [second]
    assert await _found_by(browser, journey, "dp1", words) == [first]
