"""The district's oversight screens against the real stack: two 12345 tickets in grid
桂花社区一网格, one signed for. Ops sees the three rates' figures exactly as the rates API
gives them for the day, drills down to the grids and a grid's members, opens the 大屏 and the map (the grids and
the case pins, a grid's staff and open cases); the station master of 桂花社区 sees the day's
summary as the daily report has it. axe on every screen."""

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
STATION = bearer("sm11", "station_master", "510302001001")
GRID = "510302001001001"
COMMUNITY = "510302001001"
MEMBER = "gm111a"
RATES = ("response_rate", "resolution_rate", "on_time_closure_rate", "satisfaction_rate")
SAMPLE = {
    "response_rate": "sign_for_clocked",
    "resolution_rate": "received",
    "on_time_closure_rate": "closed",
    "satisfaction_rate": "evaluated",
}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


SEEDED: dict[str, tuple[str, list[dict[str, str]]]] = {}


async def seeded(journey: Any) -> tuple[str, list[dict[str, str]]]:
    """Two located tickets, both assigned to the grid, the first signed for; returns the
    local day and the cases once escalation's rates count them (once per platform)."""
    if journey.platform.namespace in SEEDED:
        return SEEDED[journey.platform.namespace]
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
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()

    async def counted() -> bool | None:
        report = await rates_api(journey, "street", today)
        total = report["total"]
        return True if total["sign_for_clocked"] == 2 and total["accepted_in_time"] == 1 else None

    await eventually(counted, timeout=60)
    SEEDED[journey.platform.namespace] = (today, pushed)
    return today, pushed


async def rates_api(
    journey: Any, level: str, day: str, *, area: str | None = None
) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{journey.platform.urls['escalation']}/v1/reports/rates",
            params={"level": level, "from": day, "to": day, **({"area": area} if area else {})},
            headers=OPS,
        )
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def desk_page(browser: Any, journey: Any, staff_id: str) -> tuple[Any, Any, list[str]]:
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
    await page.wait_for_url(re.compile(r".*/(console|tasks)$"))
    return context, page, errors


async def figures_of(row: Any) -> dict[str, str]:
    cells = {}
    for name in ("received", *RATES):
        cells[name] = (await row.locator(f'[data-figure="{name}"]').inner_text()).strip()
    return cells


def expected_figures(api_row: dict[str, Any]) -> dict[str, str]:
    cells = {"received": str(api_row["received"])}
    for name in RATES:
        cells[name] = f"{percent(api_row[name])} 样本 {api_row[SAMPLE[name]]}"
    return cells


async def test_ops_sees_the_rates_as_the_api_gives_them_and_the_map_of_grids_and_cases(
    journey: Any, browser: Any
) -> None:
    today, pushed = await seeded(journey)
    context, page, errors = await desk_page(browser, journey, "ops1")
    try:
        # The three rates by street for the seeded day: every figure with its sample.
        await page.goto(f"{journey.base_url}/console/rates")
        await page.get_by_label("开始日期").fill(today)
        await page.get_by_label("结束日期").fill(today)
        await page.get_by_role("button", name="统计").click()
        api = await rates_api(journey, "street", today)
        street = next(row for row in api["rows"] if row["unit_code"] == "510302001")
        row = page.locator('[data-rates-table] tr[data-unit="510302001"]')
        await row.wait_for()
        assert await figures_of(row) == expected_figures(street)
        assert await figures_of(page.locator('tr[data-unit="total"]')) == expected_figures(
            api["total"]
        )
        assert expected_figures(street)["response_rate"] == "50.0% 样本 2"
        # Two cases are below the minimum sample of 5: no rank is shown.
        assert await row.locator('[data-figure="rank"]').inner_text() == "样本不足"
        assert await page.locator(".rates-chart canvas").count() == 2
        # The bar chart draws (and reads out) the API's figures: each rate with its sample.
        said = await page.locator(".rates-chart").first.get_attribute("aria-label") or ""
        for name, rate, sample in (
            ("响应率（按时签收）", "response_rate", "sign_for_clocked"),
            ("办结率", "resolution_rate", "received"),
        ):
            figure = f"{street[rate] * 100:.1f}%（n={street[sample]}）"
            assert f"{name}：{street['unit_name']} {figure}" in said, said
        assert await journey.accessibility_problems(page) == []

        # Drill down: the street's communities, then the community's grids.
        await row.get_by_role("button").click()
        await page.locator(f'tr[data-unit="{COMMUNITY}"]').get_by_role("button").click()
        grid_row = page.locator(f'[data-rates-table] tr[data-unit="{GRID}"]')
        await grid_row.wait_for()
        grid_api = next(
            r for r in (await rates_api(journey, "grid", today))["rows"] if r["unit_code"] == GRID
        )
        assert await figures_of(grid_row) == expected_figures(grid_api)
        await page.get_by_text("当前范围：").filter(has_text="桂花社区").wait_for()

        # And to the grid's members: 李磊静 (gm111a) holds both cases, by name; two cases
        # are below the minimum sample, so no rank; axe on the member level too.
        await grid_row.get_by_role("button").click()
        member_row = page.locator(f'[data-rates-table] tr[data-unit="{MEMBER}"]')
        await member_row.wait_for()
        member_api = await rates_api(journey, "member", today, area=GRID)
        (member,) = [r for r in member_api["rows"] if r["unit_code"] == MEMBER]
        assert await figures_of(member_row) == expected_figures(member)
        assert expected_figures(member)["response_rate"] == "50.0% 样本 2"
        assert (await member_row.locator("th").inner_text()).strip() == "李磊静"
        assert await member_row.locator('[data-figure="rank"]').inner_text() == "样本不足"
        assert await member_row.get_by_role("button").count() == 0  # the finest level
        await page.get_by_text("当前范围：").filter(has_text="桂花社区一网格").wait_for()
        # At a minimum sample of 2, ranked by the response rate (sample 2), she is first.
        await page.get_by_label("排名最少样本").fill("2")
        await page.locator("form.controls select").select_option("response_rate")
        await page.get_by_role("button", name="统计").click()
        await member_row.locator('[data-figure="rank"]', has_text="1").wait_for()
        assert await journey.accessibility_problems(page) == []

        # The wall: the district's figures, big.
        await page.goto(f"{journey.base_url}/console/wall")
        await page.get_by_role("heading", name="区指挥中心大屏").wait_for()
        month_api = await rates_api(journey, "street", today)
        received = page.locator('.figures [data-figure="received"] .value')
        # Until the figures are loaded (a locator wait: the CSP forbids a polled eval()).
        await received.filter(has_not_text=re.compile(r"^\s*0\s*$")).wait_for()
        assert int(await received.inner_text()) >= month_api["total"]["received"]
        assert await journey.accessibility_problems(page) == []

        # The map: the grids as polygons (no tiles configured), the case pins, a grid's people.
        await page.goto(f"{journey.base_url}/console/map")
        counts = page.locator("[data-map-counts]")
        await counts.filter(has_text="网格 9 个").wait_for()
        await counts.filter(has_text="案件点位 2 个").wait_for()
        await page.locator("[data-no-tiles]").wait_for()
        assert await page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() >= 9
        assert await page.locator(".leaflet-tile").count() == 0
        # Both pins sit at one spot: one cluster of 2, coloured by the worst clock (green).
        cluster = page.locator(".case-cluster")
        await cluster.first.wait_for()
        assert await cluster.first.inner_text() == "2"
        assert "case-cluster-green" in (await cluster.first.get_attribute("class") or "")
        await page.locator(f'[data-grid="{GRID}"]').click()
        panel = page.locator("[data-grid-panel]")
        await panel.get_by_text("未结案件（2）").wait_for()
        assert "李磊静" in await panel.locator('[data-staff-id="gm111a"]').inner_text()
        assert "在岗" in await panel.locator('[data-staff-id="gm111a"]').inner_text()
        for case in pushed:
            await panel.get_by_role("link", name=case["tracking_no"]).wait_for()
        assert await journey.accessibility_problems(page) == []
        assert errors == []
    finally:
        await context.close()


async def recorded_patrol(journey: Any) -> None:
    """A patrol of the grid member's grid with three GPS points, ended."""
    intake = journey.platform.urls["intake"]
    async with httpx.AsyncClient() as client:
        started = await client.post(f"{intake}/v1/patrols", json={}, headers=journey.grid_member)
        assert started.status_code == 201, started.text
        patrol = started.json()["id"]
        now = datetime.now(ZoneInfo("UTC")).isoformat()
        points = [{"lat": 29.3550 + i * 0.0003, "lon": 104.7725, "at": now} for i in range(3)]
        batch = await client.post(
            f"{intake}/v1/patrols/{patrol}/track",
            json={"batch_id": f"e2e-{patrol[:8]}", "points": points},
            headers=journey.grid_member,
        )
        assert batch.status_code in (200, 201), batch.text
        ended = await client.post(f"{intake}/v1/patrols/{patrol}/end", headers=journey.grid_member)
        assert ended.status_code == 200, ended.text


async def test_a_station_master_sees_the_day_of_the_community(journey: Any, browser: Any) -> None:
    today, _ = await seeded(journey)
    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{journey.platform.urls['escalation']}/v1/reports/daily",
            params={"community": COMMUNITY, "date": today},
            headers=STATION,
        )
    assert response.status_code == 200, response.text
    daily = response.json()
    assert daily["new"] >= 2
    await recorded_patrol(journey)
    context, page, errors = await desk_page(browser, journey, "sm11")
    try:
        await page.goto(f"{journey.base_url}/console/station")
        await page.get_by_role("heading", name=f"桂花社区 {today} 日报").wait_for()
        for key in ("new", "accepted", "resolved", "closed"):
            figure = page.locator(f'[data-count="{key}"] dd')
            assert await figure.inner_text() == str(daily[key]), key
        await page.locator("[data-review]").get_by_text("桂花社区一网格").wait_for()
        await page.get_by_text("没有超期案件").wait_for()
        assert await journey.accessibility_problems(page) == []

        # The map draws the patrol tracks the community's grid members recorded today.
        await page.goto(f"{journey.base_url}/console/map")
        track = page.locator(".leaflet-overlay-pane path.patrol-track")
        await track.first.wait_for(state="attached")  # a short walk: a line of no width
        tracks = await page.locator("[data-map-tracks]").inner_text()
        assert re.fullmatch(r"今日巡查轨迹 (\d+) 条", tracks.strip())
        assert int(tracks.split()[1]) >= 1 and await track.count() >= 1
        await page.get_by_label("巡查轨迹").uncheck()
        assert await track.count() == 0
        assert await journey.accessibility_problems(page) == []
        assert errors == []
    finally:
        await context.close()


async def test_ops_sees_the_rates_by_department_as_the_api_gives_them(
    journey: Any, browser: Any
) -> None:
    today, _ = await seeded(journey)
    context, page, errors = await desk_page(browser, journey, "ops1")
    try:
        await page.goto(f"{journey.base_url}/console/rates")
        await page.get_by_label("开始日期").fill(today)
        await page.get_by_label("结束日期").fill(today)
        await page.get_by_role("button", name="统计").click()
        await page.get_by_role("button", name="按职能部门查看").click()
        await page.get_by_text("职能部门三率明细").wait_for()
        api = await rates_api(journey, "department", today)
        assert await figures_of(page.locator('tr[data-unit="total"]')) == expected_figures(
            api["total"]
        )
        assert await journey.accessibility_problems(page) == []
        # And back to the areas.
        await page.get_by_role("button", name="按区域查看").click()
        await page.get_by_text("街道三率明细").wait_for()
        assert errors == []
    finally:
        await context.close()
