"""A grid member patrols: starts a patrol, walks (the browser's position moves), sees the
minutes against the twice-a-day rule, reports a problem where they stand with a photo,
and ends it. The track is stored in intake, point by point, as GeoJSON."""

from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

# 桂花路, walked north in 30 m steps (inside grid 510302001001001's district).
WALK = [(29.3550 + i * 0.00027, 104.7725) for i in range(12)]


async def test_a_patrol_records_a_track_and_reports_a_problem_with_a_photo(
    journey: Any, phone: Any
) -> None:
    page, workbench = phone.page, journey.base_url
    context = page.context
    await context.grant_permissions(["geolocation"], origin=workbench)
    lat, lon = WALK[0]
    await context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 8})
    await page.clock.install()

    await page.goto(f"{workbench}/")
    await page.get_by_role("button", name="以 李磊静（网格员 · 桂花社区一网格 · A岗）登录").click()
    await page.wait_for_url(f"{workbench}/tasks")
    await page.get_by_role("link", name="巡查").click()
    await page.wait_for_url(f"{workbench}/patrol")
    await page.get_by_text("规定：每天至少巡查 2 次，每次不少于 60 分钟").wait_for()
    assert await page.locator("[data-today]").inner_text() == "今日合格巡查 0 / 2 次"
    assert await journey.accessibility_problems(page) == []

    await page.get_by_role("button", name="开始巡查").click()
    await page.get_by_role("status").filter(has_text="巡查已开始").wait_for()
    assert await page.locator("[data-minutes]").inner_text() == "本次已巡查 0 分钟"
    await page.get_by_text("已记录轨迹点 1 个").wait_for()

    # Walking: each step of 30 m is a point (fewer than 20 m would be thinned out).
    for n, (lat, lon) in enumerate(WALK[1:], start=2):
        await context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 8})
        await page.get_by_text(f"已记录轨迹点 {n} 个").wait_for()
    await context.set_geolocation({"latitude": lat + 0.00005, "longitude": lon, "accuracy": 8})
    await page.wait_for_timeout(300)
    assert await page.locator("[data-points]").inner_text() == f"已记录轨迹点 {len(WALK)} 个"

    # The minutes move with the clock, against the rule's hour.
    await page.clock.fast_forward("25:00")
    await page.get_by_text("本次已巡查 25 分钟").wait_for()
    await page.get_by_text("还需 35 分钟达标").wait_for()
    assert await journey.accessibility_problems(page) == []

    # A problem where I stand, with a photo.
    await page.get_by_role("button", name="上报问题").click()
    await page.get_by_label("问题描述").fill("路口井盖缺失，有行人跌倒风险")
    assert "位置：我当前所在处（29.35802, 104.77250）" in await page.locator(
        "[data-where]"
    ).inner_text()
    await page.locator("input.photo-input").set_input_files(
        files=[{"name": "site.png", "mimeType": "image/png", "buffer": journey.photo(2000, 1500)}]
    )
    await page.get_by_role("button", name="删除照片").wait_for()
    assert await journey.accessibility_problems(page) == []
    await page.get_by_role("button", name="上报", exact=True).click()
    reported = page.get_by_role("status").filter(has_text="已上报，案件编号")
    await reported.wait_for()

    await page.get_by_role("button", name="结束巡查").click()
    await page.get_by_role("status").filter(has_text="巡查已结束").wait_for()
    await page.get_by_role("button", name="开始巡查").wait_for()
    assert await journey.accessibility_problems(page) == []

    # intake has the session, its report, and the whole track in the order walked.
    intake = journey.platform.urls["intake"]
    async with httpx.AsyncClient() as client:
        today = (await client.get(f"{intake}/v1/patrols/today", headers=journey.grid_member)).json()
        [session] = today["sessions"]
        assert session["ended_at"] is not None
        assert session["reports"] == 1
        track = await client.get(
            f"{intake}/v1/patrols/{session['id']}/track", headers=journey.grid_member
        )
    assert track.status_code == 200
    feature = track.json()
    assert feature["geometry"]["type"] == "LineString"
    assert feature["geometry"]["coordinates"] == [
        [pytest.approx(lo), pytest.approx(la)] for la, lo in WALK
    ]
    assert feature["properties"]["points"] == len(WALK)
    assert phone.console_errors == []
