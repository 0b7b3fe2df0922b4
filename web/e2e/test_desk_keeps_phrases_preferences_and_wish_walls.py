"""A station master keeps the community's settings in the console: the phrases (常用语)
offered when returning a case, seen again after a reload and by a grid member of the
community; their own notification preferences, and an admin changing them; a wish wall
(心愿墙) created, its QR code shown and downloaded, closed (停用: a resident's wish
refused) and opened again, and two paper notes transcribed that become cases. Each form refuses a bad value where it was typed, and the API's own
refusal (a taken wall id) is said plainly."""

import re
import secrets
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

COMMUNITY = "510302001002"
STATION_MASTER = bearer("sm12", "station_master", COMMUNITY)
ADMIN = bearer("admin1", "admin", "510302")


async def api(journey: Any, service: str, path: str, headers: dict[str, str]) -> Any:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{journey.platform.urls[service]}{path}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def theirs_body(read: dict[str, Any]) -> dict[str, Any]:
    """What a preferences PUT takes from what a GET gave."""
    return {k: read[k] for k in ("disabled_channels", "email", "quiet_hours")}


def field(page: Any, control: str) -> Any:
    """The form item around a control: its label, the control and the message under it."""
    return page.locator(".el-form-item", has=page.locator(control))


async def test_a_station_master_keeps_the_phrases_for_returning_a_case(
    journey: Any, browser: Any
) -> None:
    context, page, errors = await journey.desk(browser, "sm12")
    try:
        await page.goto(f"{journey.base_url}/console/settings?tab=phrases")
        await page.locator("#phrases-title").wait_for()
        await page.locator('[data-action="return"]').click()
        await page.get_by_text(f"本单位（area:{COMMUNITY}）的常用语").wait_for()
        rows = await page.locator("[data-phrase]").count()
        await page.get_by_role("button", name="增加一条").click()
        await page.get_by_role("button", name="增加一条").click()
        await page.locator(f"#phrase-{rows}").fill("请补充现场照片后再退回")
        # An empty phrase: refused at its row, nothing saved.
        await page.get_by_role("button", name="保存").click()
        await field(page, f"#phrase-{rows + 1}").get_by_text("必填").wait_for()
        assert await journey.accessibility_problems(page) == []

        await page.locator(f"#phrase-{rows + 1}").fill("不属于本社区，请改派")
        await page.get_by_role("button", name="保存").click()
        await page.get_by_role("status").filter(has_text="“退回”的常用语已保存").wait_for()

        await page.reload()
        await page.locator('[data-action="return"]').click()
        await page.locator(f"#phrase-{rows + 1}").wait_for()
        assert await page.locator(f"#phrase-{rows}").input_value() == "请补充现场照片后再退回"
        assert await page.locator(f"#phrase-{rows + 1}").input_value() == "不属于本社区，请改派"
        stored = await api(journey, "dispatch", "/v1/phrases?action=return", STATION_MASTER)
        mine = [i for i in stored["items"] if i["unit"] == f"area:{COMMUNITY}"]
        assert mine[0]["phrases"][-2:] == ["请补充现场照片后再退回", "不属于本社区，请改派"]
        assert mine[0]["updated_by"] == "sm12"

        # Another station master of the community saves the list while this page is
        # open: this save does not overwrite it, and a reload shows theirs.
        theirs = [*mine[0]["phrases"], "已转交物业处理"]
        async with httpx.AsyncClient() as client:
            saved = await client.put(
                f"{journey.platform.urls['dispatch']}/v1/phrases",
                json={"action": "return", "phrases": theirs},
                headers=bearer("sm12b", "station_master", COMMUNITY),
            )
        assert saved.status_code == 200, saved.text
        await page.locator(f"#phrase-{rows}").fill("我的改动")
        await page.get_by_role("button", name="保存").click()
        conflict = page.get_by_role("alert").filter(has_text="别人在您打开后改过这些常用语")
        await conflict.wait_for()
        said = await conflict.inner_text()
        assert "sm12b 于" in said and "保存过" in said  # who and when, in zh-CN
        assert not re.search(r"\d{4}-\d{2}-\d{2}T|changed the", said)  # not the server's words
        assert await journey.accessibility_problems(page) == []
        await page.get_by_role("button", name="重新载入最新的常用语").click()
        await page.locator(f"#phrase-{rows + 2}").wait_for()
        assert await page.locator(f"#phrase-{rows + 2}").input_value() == "已转交物业处理"
        stored = await api(journey, "dispatch", "/v1/phrases?action=return", STATION_MASTER)
        mine = [i for i in stored["items"] if i["unit"] == f"area:{COMMUNITY}"]
        assert mine[0]["phrases"] == theirs
        assert errors == []
    finally:
        await context.close()

    # A grid member of the community reads them (and keeps no unit's own).
    context, page, errors = await journey.desk(browser, "gm121a")
    try:
        await page.goto(f"{journey.base_url}/console/settings?tab=phrases")
        await page.locator('[data-action="return"]').click()
        inherited = page.locator(f'[data-unit="area:{COMMUNITY}"]')
        await inherited.get_by_text("不属于本社区，请改派").wait_for()
        await page.get_by_text("您的角色不维护单位常用语").wait_for()
        assert await journey.accessibility_problems(page) == []
        assert errors == []
    finally:
        await context.close()


async def test_a_station_master_sets_quiet_hours_and_an_admin_changes_them(
    journey: Any, browser: Any
) -> None:
    context, page, errors = await journey.desk(browser, "sm12")
    try:
        await page.goto(f"{journey.base_url}/console/settings?tab=preferences")
        await page.get_by_role("heading", name="我的通知偏好").wait_for()
        await page.locator('[data-channel="wecom"]').click()
        await page.locator("#preferences-email").fill("sm12-at-example")
        await page.locator('[data-quiet="range"]').check()
        await page.locator("#quiet-from").fill("22:30")
        await page.locator("#quiet-to").fill("07:00")
        await page.get_by_role("button", name="保存").click()
        await field(page, "#preferences-email").get_by_text("邮箱格式不对").wait_for()
        assert await journey.accessibility_problems(page) == []

        await page.locator("#preferences-email").fill("sm12@example.cn")
        await page.get_by_role("button", name="保存").click()
        await page.get_by_role("status").filter(has_text="通知偏好已保存").wait_for()

        await page.reload()
        await page.get_by_text("最后修改").wait_for()
        assert await page.locator("#preferences-email").input_value() == "sm12@example.cn"
        assert await page.locator("#quiet-from").input_value() == "22:30"
        assert not await page.locator('[data-channel="wecom"] input').is_checked()
        assert await page.locator('[data-channel="sms"] input').is_checked()
        mine = await api(journey, "notify", "/v1/preferences/me", STATION_MASTER)
        assert (mine["disabled_channels"], mine["email"], mine["quiet_hours"]) == (
            ["wecom"],
            "sm12@example.cn",
            "22:30-07:00",
        )
        assert errors == []
    finally:
        await context.close()

    # An admin opens sm12's and turns the quiet hours off.
    context, page, errors = await journey.desk(browser, "admin1")
    try:
        await page.goto(f"{journey.base_url}/console/settings?tab=preferences")
        await page.locator("#preferences-staff").fill("sm12")
        await page.get_by_role("button", name="读取").click()
        await page.get_by_role("heading", name="sm12 的通知偏好").wait_for()
        assert await page.locator("#preferences-email").input_value() == "sm12@example.cn"
        await page.locator('[data-quiet="none"]').check()
        await page.get_by_role("button", name="保存").click()
        await page.get_by_role("status").filter(has_text="sm12 的通知偏好已保存").wait_for()
        assert await journey.accessibility_problems(page) == []
        theirs = await api(journey, "notify", "/v1/preferences/sm12", ADMIN)
        assert (theirs["quiet_hours"], theirs["disabled_channels"]) == ("", ["wecom"])

        # sm12 saves their own while the admin's page is open: the admin's next save
        # does not overwrite it, says who saved, and a reload shows theirs.
        async with httpx.AsyncClient() as client:
            saved = await client.put(
                f"{journey.platform.urls['notify']}/v1/preferences/me",
                json={**theirs_body(theirs), "email": "sm12@jiedao.example.cn"},
                headers=STATION_MASTER,
            )
        assert saved.status_code == 200, saved.text
        await page.locator('[data-quiet="default"]').check()
        await page.get_by_role("button", name="保存").click()
        conflict = page.get_by_role("alert").filter(has_text="别人在您打开后改过这些通知偏好")
        await conflict.wait_for()
        assert "sm12" in await conflict.inner_text()
        assert await journey.accessibility_problems(page) == []
        await page.get_by_role("button", name="重新载入最新的通知偏好").click()
        await page.get_by_text("最后修改：sm12").wait_for()
        assert await page.locator("#preferences-email").input_value() == "sm12@jiedao.example.cn"
        stored = await api(journey, "notify", "/v1/preferences/sm12", ADMIN)
        assert (stored["email"], stored["quiet_hours"]) == ("sm12@jiedao.example.cn", "")
        assert errors == []
    finally:
        await context.close()


async def test_a_station_master_puts_up_a_wish_wall_and_transcribes_its_notes(
    journey: Any, browser: Any
) -> None:
    wall_id = f"W-{secrets.token_hex(3)}"
    context, page, errors = await journey.desk(browser, "sm12")
    try:
        await page.goto(f"{journey.base_url}/console/settings?tab=walls")
        await page.locator("#walls-title").wait_for()
        assert await page.locator("#wall-community").input_value() == COMMUNITY
        await page.locator("#wall-id").fill(wall_id)
        await page.locator("#wall-name").fill("桂花巷心愿墙")
        await page.locator("#wall-community").fill("5103")
        create = page.get_by_role("button", name="新建心愿墙")
        await create.click()
        await field(page, "#wall-community").get_by_text("社区编码是 12 位数字").wait_for()
        assert await journey.accessibility_problems(page) == []

        await page.locator("#wall-community").fill(COMMUNITY)
        await create.click()
        await page.get_by_role("status").filter(has_text="心愿墙“桂花巷心愿墙”已建立").wait_for()
        row = page.locator(f'[data-wall="{wall_id}"]')
        await row.wait_for()

        # The same id again: the API's refusal, said plainly.
        await page.locator("#wall-id").fill(wall_id)
        await page.locator("#wall-name").fill("另一面墙")
        await create.click()
        taken = page.get_by_role("alert").filter(has_text="这个编号已被使用")
        await taken.wait_for()
        assert wall_id in await taken.inner_text()

        # The QR code, shown and downloaded for printing.
        await row.get_by_role("button", name="查看二维码").click()
        image = page.get_by_role("img", name=re.compile("扫码提交心愿"))
        await image.wait_for()
        await page.wait_for_function("() => document.querySelector('.qr img')?.naturalWidth > 0")
        async with page.expect_download() as download:
            await page.get_by_role("button", name="下载 SVG").click()
        assert (await download.value).suggested_filename == f"{wall_id}-qr.svg"

        # Renamed and placed on the map afterwards: one coordinate alone is refused first.
        await row.get_by_role("button", name="编辑").click()
        await page.locator("#wall-edit-title").wait_for()
        await page.locator("#wall-edit-name").fill("桂花巷心愿墙（东口）")
        await page.locator("#wall-edit-lat").fill("29.355")
        save = page.get_by_role("button", name="保存修改")
        await save.click()
        await field(page, "#wall-edit-lon").get_by_text("要么都填").wait_for()
        assert await journey.accessibility_problems(page) == []
        await page.locator("#wall-edit-lon").fill("104.7725")
        await save.click()
        await (
            page.get_by_role("status")
            .filter(has_text="心愿墙“桂花巷心愿墙（东口）”已保存")
            .wait_for()
        )
        await row.get_by_text("桂花巷心愿墙（东口）").wait_for()
        await row.get_by_text("29.355, 104.7725").wait_for()
        stored = await api(journey, "intake", f"/v1/walls/{wall_id}", ADMIN)
        assert (stored["name"], stored["location"]) == (
            "桂花巷心愿墙（东口）",
            {"lat": 29.355, "lon": 104.7725},
        )
        assert stored["community_code"] == COMMUNITY

        # 停用: the wall is taken down for a while; a resident's wish is refused, and
        # the resident's page says so. 启用 again, it is open.
        await row.get_by_role("button", name="停用").click()
        await (
            page.get_by_role("status")
            .filter(has_text="心愿墙“桂花巷心愿墙（东口）”已停用")
            .wait_for()
        )
        await row.locator('[data-state="closed"]').get_by_text("已停用（sm12").wait_for()
        assert await journey.accessibility_problems(page) == []
        async with httpx.AsyncClient() as client:
            intake = journey.platform.urls["intake"]
            refused = await client.post(
                f"{intake}/v1/public/walls/{wall_id}/wishes", json={"content": "路灯坏了"}
            )
            resident = await client.get(f"{intake}/walls/{wall_id}")
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "wall_closed"
        assert "这面心愿墙已停用" in resident.text
        assert (await api(journey, "intake", f"/v1/walls/{wall_id}", ADMIN))["closed"] is True
        await row.get_by_role("button", name="启用").click()
        await page.get_by_role("status").filter(has_text="已启用").wait_for()
        await row.locator('[data-state="open"]').get_by_text("使用中").wait_for()
        assert (await api(journey, "intake", f"/v1/walls/{wall_id}", ADMIN))["closed"] is False

        # Two paper notes; a bad phone number is refused at its note first.
        await row.get_by_role("button", name="抄录纸条").click()
        await page.locator("#note-content-0").fill("小区东门的路灯坏了一个月，晚上看不清路")
        await page.get_by_role("button", name="再加一张").click()
        await page.locator("#note-content-1").fill("希望在健身器材旁加装一张长椅")
        await page.locator("#note-phone-1").fill("12345")
        await page.get_by_role("button", name="提交抄录").click()
        await field(page, "#note-phone-1").get_by_text("不是大陆手机号").wait_for()
        assert await journey.accessibility_problems(page) == []
        await page.locator("#note-phone-1").fill("13812345678")
        await page.get_by_role("button", name="提交抄录").click()
        await page.get_by_role("status").filter(has_text="已立案 2 件，未通过 0 张").wait_for()
        created = page.locator("[data-tracking]")
        assert await created.count() == 2
        link = created.nth(1).get_by_role("link", name="打开案件")
        href = await link.get_attribute("href")
        assert href is not None
        case_id = href.rsplit("/", 1)[-1]
        assert errors == []
    finally:
        await context.close()

    # The wish is a case (channel wish_wall), with the note's words, in dispatch.
    async def in_dispatch() -> dict[str, Any] | None:
        async with httpx.AsyncClient() as client:
            response = await client.get(
                f"{journey.platform.urls['dispatch']}/v1/cases/{case_id}", headers=ADMIN
            )
        found: dict[str, Any] | None = response.json() if response.status_code == 200 else None
        return found

    case = await eventually(in_dispatch, timeout=60)
    assert case["content"] == "希望在健身器材旁加装一张长椅"
    assert case["channel"] == "wish_wall"
