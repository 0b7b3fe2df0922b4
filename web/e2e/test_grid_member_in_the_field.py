"""A grid member in the field, on one running platform:

- patrols: starts a patrol, walks (the browser's position moves), sees the minutes against
  the twice-a-day rule, reports a problem where they stand with a photo, and ends it; the
  track is stored in intake, point by point, as GeoJSON;
- visits a household: notes and a reported problem, and the household's file;
- acts offline: 签收 on two cases without a network, a reload, the network back: one is
  sent exactly once, the other (signed for meanwhile on another phone) is a conflict
  the page explains."""

import secrets
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
    assert (
        "位置：我当前所在处（29.35802, 104.77250）"
        in await page.locator("[data-where]").inner_text()
    )
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


SIGN_IN = "以 李磊静（网格员 · 桂花社区一网格 · A岗）登录"


async def test_a_household_visit_with_notes_a_report_and_the_households_file(
    journey: Any, phone: Any
) -> None:
    page, workbench = phone.page, journey.base_url
    address = f"桂花路1号1栋2单元{secrets.randbelow(900) + 100}"
    await page.goto(f"{workbench}/")
    await page.get_by_role("button", name=SIGN_IN).click()
    await page.wait_for_url(f"{workbench}/tasks")
    await page.get_by_role("link", name="入户走访").click()
    await page.wait_for_url(f"{workbench}/visits")

    # What is typed survives a reload.
    await page.get_by_label("住户地址").fill(address)
    await page.get_by_label("住户（户主姓名等，可不填）").fill("王秀英")
    await page.get_by_label("走访情况").fill("独居老人，腿脚不便，希望社区帮忙代购药品")
    await page.reload()
    assert await page.get_by_label("走访情况").input_value() == (
        "独居老人，腿脚不便，希望社区帮忙代购药品"
    )
    assert await journey.accessibility_problems(page) == []

    await page.get_by_role("button", name="记录走访").click()
    await page.get_by_role("status").filter(has_text="走访已记录").wait_for()
    file = page.locator("[data-household-file]")
    await file.get_by_text("共 1 次走访").wait_for()
    assert "独居老人" in await file.inner_text()
    assert await page.get_by_label("走访情况").input_value() == ""

    # A problem found there, with a photo: a case at the household's address.
    await page.get_by_role("button", name="上报问题").click()
    await page.get_by_label("问题描述").fill("楼道灯坏了，老人夜里出入不便")
    await page.locator("input.photo-input").set_input_files(
        files=[{"name": "stairs.png", "mimeType": "image/png", "buffer": journey.photo()}]
    )
    await page.get_by_role("button", name="删除照片").wait_for()
    assert await journey.accessibility_problems(page) == []
    await page.get_by_role("button", name="上报", exact=True).click()
    reported = page.get_by_role("status").filter(has_text="已上报，案件编号")
    await reported.wait_for()
    tracking_no = (await reported.inner_text()).removeprefix("已上报，案件编号 ").rstrip("。")
    await file.get_by_text(tracking_no).wait_for()

    # The next visit, the address written another way: one household, one file.
    await page.get_by_label("住户地址").fill(address.replace("1号", "１号 "))
    await page.get_by_label("走访情况").fill("药品已代购送到")
    await page.get_by_role("button", name="记录走访").click()
    await file.get_by_text("共 2 次走访").wait_for()
    visits = file.locator("[data-visit]")
    assert "药品已代购送到" in await visits.nth(0).inner_text()  # newest first
    assert tracking_no in await visits.nth(1).inner_text()
    assert await journey.accessibility_problems(page) == []

    intake = journey.platform.urls["intake"]
    async with httpx.AsyncClient() as client:
        stored = await client.get(
            f"{intake}/v1/visits", params={"address": address}, headers=journey.grid_member
        )
    assert [v["notes"] for v in stored.json()] == [
        "独居老人，腿脚不便，希望社区帮忙代购药品",
        "药品已代购送到",
    ]
    assert [r["tracking_no"] for r in stored.json()[0]["reports"]] == [tracking_no]
    assert phone.console_errors == []


async def test_actions_taken_offline_are_sent_once_when_the_network_returns(
    journey: Any, phone: Any
) -> None:
    page, workbench = phone.page, journey.base_url
    mine = f"桂花路1号1栋门口路灯不亮 {secrets.token_hex(3)}"
    moved = f"桂花路1号1栋楼道堆放杂物 {secrets.token_hex(3)}"
    first = await journey.push_ticket(mine)
    second = await journey.push_ticket(moved)
    await journey.case_in_dispatch(first["case_id"], status="assigned")
    await journey.case_in_dispatch(second["case_id"], status="assigned")

    await page.goto(f"{workbench}/")
    await page.get_by_role("button", name=SIGN_IN).click()
    await page.wait_for_url(f"{workbench}/tasks")
    # The installed app: its service worker active and in control of the page.
    # One evaluation that awaits the page's own promise: a polled wait_for_function would
    # re-evaluate its predicate with eval(), which the workbench's CSP forbids.
    assert await page.evaluate("navigator.serviceWorker.ready.then(r => r.active !== null)")
    await page.reload()
    assert await page.evaluate(
        "navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller !== null)"
    )
    # Both cases opened once online (so they are readable offline).
    for pushed, content in ((second, moved), (first, mine)):
        await page.goto(f"{workbench}/cases/{pushed['case_id']}")
        await page.get_by_text(content).wait_for()

    await page.context.set_offline(True)
    await page.get_by_role("button", name="签收").click()
    await page.get_by_role("alert").filter(has_text="已保存在手机上").wait_for()
    await page.goto(f"{workbench}/cases/{second['case_id']}")
    await page.get_by_text(moved).wait_for()
    await page.get_by_role("button", name="签收").click()
    await page.get_by_text("2 项待发送，联网后自动发送").wait_for()

    # Meanwhile the second case is signed for on another phone.
    async with httpx.AsyncClient() as client:
        elsewhere = await client.post(
            f"{journey.platform.urls['dispatch']}/v1/cases/{second['case_id']}/accept",
            headers=journey.grid_member,
        )
    assert elsewhere.status_code == 200, elsewhere.text

    # A reload offline loses nothing.
    await page.reload()
    await page.get_by_text("2 项待发送，联网后自动发送").wait_for()
    waiting = page.locator("[data-outbox-waiting]")
    assert [await w.inner_text() for w in await waiting.all()] == [
        f"待发送 签收 · {mine[:24]}",
        f"待发送 签收 · {moved[:24]}",
    ]
    assert await journey.accessibility_problems(page) == []

    # The network returns: the first is sent, the second is a conflict in words.
    await page.context.set_offline(False)
    conflict = page.locator("[data-outbox-conflict]")
    await conflict.wait_for()
    assert f"「{moved[:24]}」在您离线时已有变化（现为办理中），您的“签收”没有发送。" in (
        await conflict.inner_text()
    )
    assert await waiting.count() == 0
    assert await journey.accessibility_problems(page) == []
    await page.get_by_role("button", name="知道了").click()
    assert await conflict.count() == 0

    sent = await journey.case_in_dispatch(first["case_id"], status="accepted")
    await page.reload()
    await page.get_by_text(moved).wait_for()
    await page.wait_for_timeout(1000)
    again = await journey.case_in_dispatch(first["case_id"], status="accepted")
    assert [e["action"] for e in sent["timeline"]].count("accept") == 1
    assert [e["action"] for e in again["timeline"]].count("accept") == 1
    assert again["version"] == sent["version"]
    assert await page.locator("[data-outbox]").count() == 0
    assert phone.console_errors == []


async def test_a_resolve_with_photos_taken_offline_is_sent_once_with_its_photos(
    journey: Any, phone: Any
) -> None:
    page, workbench = phone.page, journey.base_url
    content = f"桂花路1号1栋楼下垃圾桶满溢 {secrets.token_hex(3)}"
    pushed = await journey.push_ticket(content)
    await journey.case_in_dispatch(pushed["case_id"], status="assigned")
    async with httpx.AsyncClient() as client:
        accepted = await client.post(
            f"{journey.platform.urls['dispatch']}/v1/cases/{pushed['case_id']}/accept",
            headers=journey.grid_member,
        )
    assert accepted.status_code == 200, accepted.text

    await page.goto(f"{workbench}/")
    await page.get_by_role("button", name=SIGN_IN).click()
    await page.wait_for_url(f"{workbench}/tasks")
    assert await page.evaluate("navigator.serviceWorker.ready.then(r => r.active !== null)")
    await page.reload()
    assert await page.evaluate(
        "navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller !== null)"
    )
    await page.goto(f"{workbench}/cases/{pushed['case_id']}")
    await page.get_by_text(content).wait_for()

    # Offline: 办结 with the photos of before and after, kept on the phone.
    await page.context.set_offline(True)
    await page.get_by_role("button", name="办结").click()
    await page.get_by_label("办理情况").fill("已联系环卫清运，垃圾桶已清空")
    for kind, size in (("before", (800, 600)), ("after", (1200, 900))):
        await page.locator(f"[data-photo-kind={kind}] input.photo-input").set_input_files(
            files=[{"name": f"{kind}.png", "mimeType": "image/png", "buffer": journey.photo(*size)}]
        )
    await page.get_by_alt_text("整改前照片预览").wait_for()
    await page.get_by_role("button", name="确认办结").click()
    await page.get_by_role("alert").filter(has_text="已保存在手机上").wait_for()
    # A reload offline keeps the 办结 and its photos.
    await page.reload()
    await page.get_by_text("1 项待发送，联网后自动发送").wait_for()

    # The network returns: the photos go up, then the 办结 that names them, once.
    await page.context.set_offline(False)
    resolved = await journey.case_in_dispatch(pushed["case_id"], status="resolved")
    await page.locator("[data-outbox]").wait_for(state="detached")
    assert resolved["resolution_note"] == "已联系环卫清运，垃圾桶已清空"
    assert sorted(resolved["evidence_kinds"].values()) == ["after", "before"]
    assert len(set(resolved["evidence"])) == 2
    async with httpx.AsyncClient() as client:
        for url in resolved["evidence"]:
            photo = await client.get(
                f"{journey.platform.urls['intake']}/v1/attachments/{url.rsplit('/', 1)[-1]}",
                headers=journey.grid_member,
            )
            assert photo.status_code == 200
            assert photo.content.startswith(b"\xff\xd8")
    await page.wait_for_timeout(1000)
    again = await journey.case_in_dispatch(pushed["case_id"], status="resolved")
    assert [e["action"] for e in again["timeline"]].count("resolve") == 1
    assert again["version"] == resolved["version"]
    assert phone.console_errors == []
