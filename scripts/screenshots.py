"""Saves a screenshot of every screen of the workbench to docs/screenshots/, in zh-CN (the
phone app phone-sized, the dispatcher's console desktop-sized), from a running stack
(`make up`; Debian's chromium and fonts-noto-cjk):

    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8080] [--only console]

It pushes a signed 12345 ticket through the one origin (development hotline secret),
signs in as the demo grid member 李磊静 (gm111a) and works that case to resolution; for the
console, pushes one with an address nobody knows and signs in as the dispatcher 胡霞敏 (dp1)
to dispatch it. The field screens (``--only field``) start and end a patrol and record two
household visits as gm111a (the browser's position is set near 桂花路).
"""

from __future__ import annotations

import argparse
import json
import secrets
import struct
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, sync_playwright

from gridcase_events.kit import signing
from gridcase_events.kit.settings import DEV_HOTLINE_SECRET

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def push(url: str, secret: str, **fields: Any) -> dict[str, str]:
    """A signed 12345 ticket; `fields` replace its own (None leaves one out)."""
    ticket: dict[str, Any] = {
        "ticket_no": f"SHOT-{secrets.token_hex(4)}",
        "received_at": datetime.now(UTC).isoformat(),
        "caller_phone": "13912345678",
        "content": "楼上每晚11点后还在装修敲打，影响老人和孩子休息，请社区协调。",
        "category_hint": "neighbour/noise-dispute",
        # A point somewhere in 桂花社区一网格 (gm111a's grid) and a building of its own, so
        # that a second run makes a second case rather than a duplicate of the first.
        "address": f"示范区东城街道桂花路1号{secrets.randbelow(40) + 3}栋",
        "lat": 29.351 + secrets.randbelow(8000) / 1_000_000,
        "lon": 104.7705 + secrets.randbelow(4000) / 1_000_000,
    }
    ticket.update(fields)
    ticket = {key: value for key, value in ticket.items() if value is not None}
    body = json.dumps(ticket, ensure_ascii=False).encode()
    response = httpx.post(
        f"{url}/api/intake/v1/hotline/tickets",
        content=body,
        headers={
            "Content-Type": "application/json",
            signing.HEADER: signing.sign(secret, body, now=datetime.now(UTC)),
        },
        timeout=30,
    )
    response.raise_for_status()
    result: dict[str, str] = response.json()
    return result


def photo(width: int = 1600, height: int = 1200) -> bytes:
    """A PNG with a simple scene: sky over a grey pavement and a green bin."""
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            if y < height // 2:
                pixel = (135, 185, 235)
            elif width // 3 < x < width // 2 and y < height * 4 // 5:
                pixel = (30, 130, 70)
            else:
                pixel = (150, 150, 150)
            row += bytes(pixel)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
        + chunk(b"IEND", b"")
    )


# A desk's screen (the console's), and the phone's: zh-CN, in the district's time.
DESKTOP: dict[str, Any] = {
    "viewport": {"width": 1440, "height": 900},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
PHONE: dict[str, Any] = DESKTOP | {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "has_touch": True,
}


def signed_in(browser: Any, url: str, staff_id: str, home: str = "/console", **options: Any) -> Any:
    """A page of its own browser context (desktop-sized, or as `options` say), signed in as
    a demo person through the development sign-in and landed on `home`; closing its
    context (`page.context.close()`) ends the session."""
    page = browser.new_context(**(DESKTOP | options)).new_page()
    page.goto(f"{url}/sign-in")
    page.locator(f"button[data-staff-id={staff_id}]").click()
    page.wait_for_url(f"**{home}")
    return page


# The charts' entry animation, before a picture of them.
CHARTS = 1500


def shot(page: Any, name: str, *, full_page: bool = False, settle: int = 400) -> None:
    """Saves the page as docs/screenshots/<name>.png once transitions have settled."""
    page.wait_for_timeout(settle)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full_page)
    print(f"saved docs/screenshots/{name}.png")


def console_screens(browser: Any, url: str, secret: str) -> None:
    """The dispatcher's desk, desktop-sized: the triage queue, a case with 派遣 filled in,
    and the row after the dispatch with its deadline."""
    words = f"小区门口路灯坏了好几天，晚上很黑 {secrets.token_hex(2)}"
    pushed = push(
        url,
        secret,
        content=f"{words}，老人出门不方便。",
        address="老街菜市场后面那条巷子",
        lat=None,
        lon=None,
        category_hint=None,
    )
    page = signed_in(browser, url, "dp1")
    row = page.locator(".cases tbody tr").filter(has_text=words)
    for _ in range(60):
        page.get_by_role("button", name="查找", exact=True).wait_for()
        page.locator('[data-queue="triage"]').click()
        page.wait_for_timeout(500)
        if row.count():
            break
    shot(page, "c1-console-triage-queue")
    page.locator(f'a[data-case-id="{pushed["case_id"]}"]').click()
    page.get_by_label("选择网格").select_option("510302001001001")
    page.get_by_label("派遣理由").fill("来电人补充：在桂花路1号1栋旁")
    shot(page, "c2-console-case-dispatch")
    page.get_by_role("button", name="确认派遣").click()
    page.get_by_role("status").filter(has_text="已派遣").wait_for()
    page.get_by_role("link", name="← 返回列表").click()
    page.get_by_role("textbox", name="查找案件").fill(words)
    for _ in range(60):
        page.get_by_role("button", name="查找", exact=True).click()
        page.wait_for_timeout(500)
        if row.locator("[data-due-at]").count():
            break
    shot(page, "c3-console-dispatched")
    page.context.close()


def field_screens(browser: Any, url: str) -> None:
    """The grid member in the field, phone-sized: a patrol under way (its minutes against
    the rule, its track points), reporting from where they stand, a household visit with
    its file, and an action kept offline waiting to be sent."""
    page = signed_in(
        browser,
        url,
        "gm111a",
        "/tasks",
        **PHONE,
        geolocation={"latitude": 29.3550, "longitude": 104.7725, "accuracy": 8},
        permissions=["geolocation"],
    )
    context = page.context
    page.get_by_role("link", name="巡查").click()
    start = page.get_by_role("button", name="开始巡查")
    end = page.get_by_role("button", name="结束巡查")
    start.or_(end).wait_for()
    if start.count():
        start.click()
    end.wait_for()
    for step in range(1, 4):
        context.set_geolocation(
            {"latitude": 29.3550 + step * 0.0003, "longitude": 104.7725, "accuracy": 8}
        )
        page.wait_for_timeout(300)
    shot(page, "f1-patrol")
    page.get_by_role("button", name="上报问题").click()
    page.get_by_label("问题描述").fill("桂花路口井盖缺失，有行人跌倒风险")
    page.locator("input.photo-input").set_input_files(
        files=[{"name": "site.png", "mimeType": "image/png", "buffer": photo()}]
    )
    page.get_by_role("button", name="删除照片").wait_for()
    shot(page, "f2-patrol-report")
    page.get_by_role("button", name="取消").click()
    end.click()
    page.get_by_role("button", name="开始巡查").wait_for()

    page.goto(f"{url}/visits")
    page.get_by_label("住户地址").fill("桂花路1号1栋2单元301")
    page.get_by_label("住户（户主姓名等，可不填）").fill("王秀英")
    page.get_by_label("走访情况").fill("独居老人，腿脚不便，希望社区帮忙代购药品。")
    page.get_by_role("button", name="记录走访").click()
    page.locator("[data-household-file]").wait_for()
    shot(page, "f3-visit-and-file", full_page=True)

    context.set_offline(True)
    page.get_by_label("走访情况").fill("药品已代购送到，老人身体尚可。")
    page.get_by_role("button", name="记录走访").click()
    page.locator("[data-outbox-waiting]").wait_for()
    shot(page, "f4-outbox-waiting")
    context.set_offline(False)
    page.locator("[data-outbox-waiting]").wait_for(state="detached")
    context.close()


def oversight_screens(browser: Any, url: str) -> None:
    """The console's oversight screens, desktop-sized: the case map (c4) and the three
    rates (c5) as ops, the 大屏 (c6), the station master's day of 桂花社区 (c7) and the
    assessment of its grid members (c8)."""
    page = signed_in(browser, url, "ops1")  # a desk role lands on the console
    page.goto(f"{url}/console/map")
    page.locator("[data-map-counts]").wait_for()
    page.locator('[data-grid="510302001001001"]').click()
    page.locator("[data-grid-panel]").get_by_text("未结案件").wait_for()
    shot(page, "c4-console-map", settle=CHARTS)
    page.goto(f"{url}/console/rates")
    page.locator("[data-rates-table]").wait_for()
    shot(page, "c5-console-rates", full_page=True, settle=CHARTS)
    page.goto(f"{url}/console/wall")
    page.get_by_role("heading", name="区指挥中心大屏").wait_for()
    shot(page, "c6-console-wall", settle=CHARTS)
    page.context.close()

    page = signed_in(browser, url, "sm11")
    page.goto(f"{url}/console/station")
    page.get_by_role("heading", name="日报").wait_for()
    shot(page, "c7-console-station", full_page=True, settle=CHARTS)
    page.context.close()
    member_screens(browser, url)


def member_screens(browser: Any, url: str) -> None:
    """As the station master of 桂花社区: the three rates drilled down to the members of
    桂花社区一网格 (c5b) and the assessment of the community's grid members (c8)."""
    page = signed_in(browser, url, "sm11")
    page.goto(f"{url}/console/rates")
    page.locator('[data-rates-table] tr[data-unit="510302001001001"] button').click()
    page.locator('[data-rates-table] tr[data-unit="gm111a"]').wait_for()
    shot(page, "c5b-console-rates-members", full_page=True, settle=CHARTS)
    # The grid members' assessment of the station master's community (网格员考核).
    page.goto(f"{url}/console/assessment")
    page.locator("[data-formula]").wait_for()
    shot(page, "c8-console-assessment", full_page=True, settle=CHARTS)
    page.context.close()


def desk_screens(browser: Any, url: str, secret: str) -> None:
    """The desk's second slice, desktop-sized (c10 on): the case table with its keys' help
    and a bulk 派遣's result per case, a case page's actions, and administration's import
    with a rejected row."""
    token = f"路灯{secrets.token_hex(2)}"
    for n in (1, 2):
        push(
            url,
            secret,
            content=f"{token} 小区路灯不亮 {n} 号",
            address="老街菜市场后面那条巷子",
            lat=None,
            lon=None,
            category_hint=None,
        )
    placed = push(url, secret, content=f"{token} 垃圾桶满了没人清")
    page = signed_in(browser, url, "dp1")
    page.get_by_role("textbox", name="查找案件").fill(token)
    for _ in range(60):
        page.get_by_role("button", name="查找", exact=True).click()
        page.wait_for_timeout(500)
        if page.get_by_role("heading", name="查找结果：共 3 件").count():
            break
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.get_by_role("button", name="键盘快捷键").click()
    shot(page, "c10-console-keyboard-help")
    page.get_by_role("button", name="关闭").click()
    page.get_by_role("checkbox", name="全选本页").check()
    page.locator("#bulk-grid").select_option("510302001001001")
    page.get_by_label("派遣理由").fill("同一片区，统一派往桂花社区一网格")
    page.get_by_role("button", name="派遣 3 件").click()
    page.get_by_role("status").filter(has_text="结果：").wait_for()
    shot(page, "c11-console-bulk-dispatch-results")
    page.goto(f"{url}/console/cases/{placed['case_id']}")
    page.get_by_role("region", name="办理操作").wait_for()
    page.locator('[data-action="transfer"]').click()
    page.get_by_role("region", name="办理操作").get_by_role("radio", name="职能部门").check()
    page.get_by_label("选择职能部门").select_option("urban")
    page.get_by_role("button", name="不属于本单位职责").click()
    shot(page, "c12-console-case-actions")
    page.context.close()

    page = signed_in(browser, url, "admin1")
    page.get_by_role("link", name="管理").click()
    page.get_by_label("导入内容").select_option("staff")
    page.get_by_label("选择文件").set_input_files(
        files=[
            {
                "name": "staff.csv",
                "mimeType": "text/csv",
                "buffer": (
                    "staff_id,name,phone,role,area_code,department_code,post\n"
                    "gm9001,新同事,13900000001,grid_member,510302001001002,,B\n"
                    "gm9002,另一位,1390000,grid_member,510302001009009,,B\n"
                ).encode(),
            }
        ]
    )
    page.get_by_role("button", name="导入", exact=True).click()
    page.get_by_role("alert").filter(has_text="没有导入任何内容").wait_for()
    shot(page, "c13-console-admin-import-rejected")
    page.locator('[data-tab="staff"]').click()
    page.get_by_label("区域或部门").fill("510302001001")
    page.get_by_role("button", name="查看").click()
    page.locator("table tbody tr").first.wait_for()
    shot(page, "c14-console-admin-staff")
    page.context.close()


def dev_token(url: str, staff_id: str) -> str:
    """A demo person's token through the development sign-in (as the sign-in page gets it)."""
    response = httpx.post(
        f"{url}/api/dispatch/v1/dev/sign-in", json={"staff_id": staff_id}, timeout=30
    )
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


def attachment_screens(browser: Any, url: str) -> None:
    """附件 on a case page, desktop-sized (c9): a resident's wish from a new wish wall with
    a photo and a PDF uploaded there, opened by the dispatcher 胡霞敏 (dp1)."""
    admin = {"Authorization": f"Bearer {dev_token(url, 'admin1')}"}
    dispatcher = {"Authorization": f"Bearer {dev_token(url, 'dp1')}"}
    wall_id = f"W-SHOT-{secrets.token_hex(2)}"
    httpx.post(
        f"{url}/api/intake/v1/walls",
        json={
            "wall_id": wall_id,
            "community_code": "510302001001",
            "name": "桂花社区心愿墙",
            "location": {"lat": 29.355, "lon": 104.7725},
        },
        headers=admin,
        timeout=30,
    ).raise_for_status()
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    urls = [
        httpx.post(
            f"{url}/api/intake/v1/public/walls/{wall_id}/attachments",
            files={"file": (name, content)},
            timeout=30,
        ).json()["url"]
        for name, content in (("photo.png", photo()), ("notice.pdf", pdf))
    ]
    wish = httpx.post(
        f"{url}/api/intake/v1/public/walls/{wall_id}/wishes",
        json={
            "content": f"小区垃圾桶满了好几天没人清运，附上照片和物业的通知 {secrets.token_hex(2)}",
            "attachments": urls,
        },
        timeout=30,
    )
    wish.raise_for_status()
    case_id = ""
    for _ in range(60):
        found = httpx.get(
            f"{url}/api/dispatch/v1/cases",
            params={"tracking_no": wish.json()["tracking_no"]},
            headers=dispatcher,
            timeout=30,
        )
        if found.status_code == 200 and found.json()["items"]:
            case_id = found.json()["items"][0]["id"]
            break
        time.sleep(0.5)
    page = signed_in(browser, url, "dp1")
    page.goto(f"{url}/console/cases/{case_id}")
    page.get_by_role("img", name="附件照片 1").wait_for()
    shot(page, "c9-console-case-attachments")
    page.context.close()


def admin_screens(browser: Any, url: str, secret: str) -> None:
    """Administration's settings, as admin 何杰洋 (admin1), desktop-sized (c15 on): a time
    limit and a notification rule being edited, each with the API's refusal at its field
    (nothing is saved), the ladder, a template preview, and what dp1 did (one case pushed
    with an address nobody knows and dispatched by dp1 with a reason first)."""
    pushed = push(
        url,
        secret,
        content="巷子口的路灯坏了一个多星期，晚上很黑",
        address="老街菜市场后面那条巷子",
        lat=None,
        lon=None,
        category_hint=None,
    )
    dispatcher = {"Authorization": f"Bearer {dev_token(url, 'dp1')}"}
    for _ in range(60):
        case = httpx.get(
            f"{url}/api/dispatch/v1/cases/{pushed['case_id']}", headers=dispatcher, timeout=30
        )
        if case.status_code == 200 and case.json()["status"] == "triage":
            break
        time.sleep(0.5)  # a script against a live stack: nothing to inject a clock into
    httpx.post(
        f"{url}/api/dispatch/v1/cases/{pushed['case_id']}/dispatch",
        json={"grid_code": "510302001001001", "reason": "居民来电说明在桂花路菜市场后巷"},
        headers=dispatcher,
        timeout=30,
    ).raise_for_status()

    page = signed_in(browser, url, "admin1")
    page.goto(f"{url}/console/admin?tab=policies")
    row = page.locator('[data-policy$="|sign_for"]').first
    row.get_by_role("button", name="编辑").click()
    page.locator("#policy-amount").fill("-1")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("不能小于 0").wait_for()
    shot(page, "c15-console-admin-policy-refused", full_page=True)
    page.locator('[data-tab="ladder"]').click()
    page.locator("[data-rung]").first.wait_for()
    shot(page, "c16-console-admin-ladder")
    page.locator('[data-tab="notify"]').click()
    page.locator('[data-rule="case.closed"]').get_by_role("button", name="编辑").click()
    form = page.get_by_role("form", name="修改 case.closed 的通知规则")
    form.locator('[data-recipient="0"]').get_by_text("企业微信").click()
    form.get_by_role("button", name="保存").click()
    form.get_by_text("无法通过企业微信收到通知").wait_for()
    shot(page, "c17-console-admin-rule-refused", full_page=True)
    page.locator('[data-tab="templates"]').click()
    page.get_by_role("button", name="预览", exact=True).click()
    page.locator("pre[role=status]").wait_for()
    shot(page, "c18-console-admin-template-preview")
    page.goto(f"{url}/console/staff/dp1/actions")
    page.locator(f'[data-case="{pushed["tracking_no"]}"]').wait_for()
    shot(page, "c19-console-staff-actions")
    page.context.close()


def handoff_screens(browser: Any, url: str, secret: str) -> None:
    """The desk's hand-offs within a unit and its late cases, desktop-sized (c30 on):
    the dispatcher 胡霞敏 (dp1) about to 改派 a case to the grid's B post; the water
    operator 高娟霞 (water1) about to 认领 a case waiting in the department's queue (both
    water operators are recorded away for three minutes so that it waits there); the
    超期/推诿 page with a case transferred three times (buck-passing: its ownership
    deadline passes at once)."""
    dispatcher = {"Authorization": f"Bearer {dev_token(url, 'dp1')}"}
    admin = {"Authorization": f"Bearer {dev_token(url, 'admin1')}"}

    def case_when(case_id: str, ready: Any) -> dict[str, Any]:
        for _ in range(120):
            found = httpx.get(
                f"{url}/api/dispatch/v1/cases/{case_id}", headers=dispatcher, timeout=30
            )
            if found.status_code == 200 and ready(found.json()):
                case: dict[str, Any] = found.json()
                return case
            time.sleep(0.5)  # a script against a live stack: nothing to inject a clock into
        raise RuntimeError(f"case {case_id} did not get there")

    placed = push(url, secret, content="楼道里堆满了纸箱杂物，存在消防隐患，请尽快清理。")
    case_when(placed["case_id"], lambda c: c["status"] == "assigned")
    now = datetime.now(UTC)
    away = "".join(
        f"{who},{(now - timedelta(minutes=1)).isoformat()},{(now + timedelta(minutes=3)).isoformat()}\n"
        for who in ("water1", "water2")
    )
    httpx.post(
        f"{url}/api/dispatch/v1/directory/import",
        params={"kind": "absences"},
        files={"file": ("absences.csv", f"staff_id,start,end\n{away}".encode(), "text/csv")},
        headers=admin,
        timeout=30,
    ).raise_for_status()
    queued = push(
        url, secret, content="整栋楼停水一天了，也没有通知。", category_hint="utility/water-outage"
    )
    case_when(queued["case_id"], lambda c: c["status"] == "routed")
    passed = push(url, secret, content="小区门口路灯坏了半个月，几个单位都说不归他们管。")
    case_when(passed["case_id"], lambda c: c["status"] == "assigned")
    for where in (
        {"target": "department", "department_code": "water"},
        {"target": "grid", "grid_code": "510302001001002"},
        {"target": "department", "department_code": "urban"},
    ):
        httpx.post(
            f"{url}/api/dispatch/v1/cases/{passed['case_id']}/transfer",
            json={**where, "reason": "不属于本单位职责"},
            headers=dispatcher,
            timeout=30,
        ).raise_for_status()

    page = signed_in(browser, url, "dp1")
    page.goto(f"{url}/console/cases/{placed['case_id']}")
    page.get_by_role("region", name="办理操作").wait_for()
    page.locator('[data-action="reassign"]').click()
    person = page.locator("#reassign-person")
    person.locator('option[value="gm111b"]').wait_for(state="attached")
    person.select_option("gm111b")
    page.get_by_label("理由", exact=True).fill("A岗今天外出培训，改由B岗办理")
    page.get_by_role("region", name="办理操作").scroll_into_view_if_needed()
    shot(page, "c30-console-case-reassign")
    for _ in range(120):
        page.goto(f"{url}/console/overdue")
        page.locator("[data-clock-filter]").select_option("ownership")
        page.get_by_role("button", name="查询").click()
        page.wait_for_timeout(500)
        if page.locator(f'tr[data-case="{passed["case_id"]}"]').count():
            break
    page.locator("[data-clock-filter]").select_option("")
    page.get_by_role("button", name="查询").click()
    page.locator(f'tr[data-case="{passed["case_id"]}"]').wait_for()
    shot(page, "c32-console-overdue", full_page=True)
    page.context.close()

    page = signed_in(browser, url, "water1", "/tasks")
    page.goto(f"{url}/console/cases/{queued['case_id']}")
    page.get_by_role("region", name="办理操作").wait_for()
    page.locator('[data-action="claim"]').click()
    page.get_by_role("region", name="办理操作").scroll_into_view_if_needed()
    shot(page, "c31-console-case-claim")
    page.context.close()


def settings_screens(browser: Any, url: str) -> None:
    """The console's settings (s1 on), desktop-sized: station master 吴超丽 (sm12) keeps her
    community's phrases for returning a case, sets her quiet hours, puts up a wish wall
    (its QR code shown) and transcribes a paper note with a bad phone number refused."""
    page = signed_in(browser, url, "sm12")
    page.goto(f"{url}/console/settings?tab=phrases")
    page.locator('[data-action="return"]').click()
    page.get_by_role("button", name="增加一条").click()
    last = page.locator("[data-phrase] input").last
    last.fill("请补充现场照片后再退回")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("status").wait_for()
    shot(page, "s1-settings-phrases", full_page=True)
    page.locator('[data-tab="preferences"]').click()
    page.locator('[data-quiet="range"]').check()
    page.locator("#preferences-email").fill("sm12-at-example")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("邮箱格式不对").wait_for()
    shot(page, "s2-settings-preferences-refused")
    page.locator('[data-tab="walls"]').click()
    wall_id = f"W-{secrets.token_hex(2)}"
    page.locator("#wall-id").fill(wall_id)
    page.locator("#wall-name").fill("桂花巷心愿墙")
    page.get_by_role("button", name="新建心愿墙").click()
    row = page.locator(f'[data-wall="{wall_id}"]')
    row.get_by_role("button", name="查看二维码").click()
    page.locator(".qr img").wait_for()
    shot(page, "s3-settings-wish-wall-qr", full_page=True)
    row.get_by_role("button", name="抄录纸条").click()
    page.locator("#note-content-0").fill("小区东门的路灯坏了一个月，晚上看不清路")
    page.locator("#note-phone-0").fill("12345")
    page.get_by_role("button", name="提交抄录").click()
    page.get_by_text("不是大陆手机号").wait_for()
    page.locator("#transcribe-title").scroll_into_view_if_needed()
    shot(page, "s4-settings-wish-wall-transcription")
    row.get_by_role("button", name="编辑").click()
    page.locator("#wall-edit-name").fill("桂花巷心愿墙（东门）")
    page.locator("#wall-edit-lat").fill("29.3552")
    page.locator("#wall-edit-lon").fill("104.7731")
    page.locator("#wall-edit-title").scroll_into_view_if_needed()
    shot(page, "s5-settings-wish-wall-edit")
    page.context.close()


def versions_screens(browser: Any, url: str, secret: str) -> None:
    """Two admins on one time limit (v1: the second told 已被他人修改，请刷新后再改), and a
    supervision order answered by the grid's leader on the case page (v2), desktop-sized."""
    pushed = push(url, secret, content=f"路灯坏了一周还没人修（示例 {secrets.token_hex(2)}）")
    station = {"Authorization": f"Bearer {dev_token(url, 'sm11')}"}
    for _ in range(120):  # the order needs the case's clocks at escalation
        issued = httpx.post(
            f"{url}/api/escalation/v1/supervisions",
            json={"case_id": pushed["case_id"], "reason": "群众反映强烈，请今天内处理"},
            headers=station,
            timeout=30,
        )
        if issued.status_code == 201:
            break
        time.sleep(0.5)
    # The district's own copy of a limit, made from the city's when it has none (same values).
    admin = {"Authorization": f"Bearer {dev_token(url, 'admin1')}"}
    limits = httpx.get(f"{url}/api/escalation/v1/policies", headers=admin, timeout=30).json()
    if not any(p["district_code"] == "510302" for p in limits):
        copy = {k: v for k, v in limits[0].items() if k not in ("updated_at", "updated_by")}
        httpx.put(
            f"{url}/api/escalation/v1/policies",
            json=[copy | {"district_code": "510302"}],
            headers=admin,
            timeout=30,
        ).raise_for_status()
    pages = []
    for _ in range(2):
        page = signed_in(browser, url, "admin1")
        page.goto(f"{url}/console/admin?tab=policies")
        row = page.locator('[data-policy^="510302|"]').first
        row.get_by_role("button", name="编辑").click()
        pages.append(page)
    one, two = pages
    amount = int(one.locator("#policy-amount").input_value())
    one.locator("#policy-amount").fill(str(amount + 1))
    one.get_by_role("button", name="保存").click()
    one.get_by_role("status").wait_for()
    two.locator("#policy-amount").fill(str(amount + 2))
    two.get_by_role("button", name="保存").click()
    two.get_by_role("alert").filter(has_text="已被他人修改").wait_for()
    two.get_by_role("alert").scroll_into_view_if_needed()
    shot(two, "v1-console-admin-conflict")
    for page in pages:
        page.context.close()

    page = signed_in(browser, url, "gl111", "/tasks")
    page.goto(f"{url}/console/cases/{pushed['case_id']}")
    orders = page.locator('section[aria-labelledby="supervisions-title"]')
    orders.get_by_label("回复督办（只能回复一次）").fill("已联系路灯所，今天下午更换")
    orders.get_by_role("button", name="提交回复").click()
    orders.locator("[data-answer]").wait_for()
    orders.scroll_into_view_if_needed()
    shot(page, "v2-console-supervision-answer")
    page.context.close()


def case_screens(browser: Any, url: str, secret: str) -> None:
    """The case table with its filters set (c21), and a case page's 办理时限 (c22) and
    已发送的通知 (c23), desktop-sized, as the dispatcher 胡霞敏 (dp1): one case pushed in
    桂花社区一网格 (it is assigned to gm111a, its clocks run and gm111a is told)."""
    words = f"楼道里的灯坏了，晚上上下楼看不见 {secrets.token_hex(2)}"
    pushed = push(url, secret, content=words)
    page = signed_in(browser, url, "dp1")
    page.get_by_role("textbox", name="查找案件").fill(words.split()[-1])
    filters = page.locator("[data-search-filters]")
    filters.locator("select[name=target]").select_option("grid")
    filters.locator("select[name=area_code]").select_option("510302001001001")
    filters.locator("select[name=channel]").select_option("hotline")
    row = page.locator(".cases tbody tr").filter(has_text=words)
    for _ in range(60):
        page.get_by_role("button", name="查找", exact=True).click()
        page.wait_for_timeout(500)
        if row.locator("[data-due-at]").count():
            break
    shot(page, "c21-console-case-filters", full_page=True)
    # Each section is read when the page opens: open it again until the records are there.
    clocks = page.locator('section[aria-labelledby="clocks-title"]')
    deliveries = page.locator('section[aria-labelledby="deliveries-title"]')
    for _ in range(60):
        page.goto(f"{url}/console/cases/{pushed['case_id']}")
        page.get_by_role("region", name="办理操作").wait_for()
        page.wait_for_timeout(500)
        if clocks.locator("[data-clock]").count() and deliveries.locator("tbody tr").count():
            break
    clocks.scroll_into_view_if_needed()
    shot(page, "c22-console-case-clocks")
    deliveries.scroll_into_view_if_needed()
    shot(page, "c23-console-case-deliveries")
    page.context.close()


def deadline_screens(browser: Any, url: str) -> None:
    """时限试算 in administration's 工作日历 (c20), as admin 何杰洋 (admin1): when would the
    办结 limit of a case received on a Friday evening end, working days counted."""
    page = signed_in(browser, url, "admin1")
    page.goto(f"{url}/console/admin?tab=calendar")
    page.locator("#deadline-clock").select_option("resolution")
    page.locator("#deadline-start").fill("2026-12-04T18:30")
    page.get_by_role("button", name="试算", exact=True).click()
    page.locator("[data-deadline-preview]").wait_for()
    page.locator("[data-deadline-preview]").scroll_into_view_if_needed()
    shot(page, "c20-console-admin-deadline-preview")
    page.context.close()


def gap_screens(browser: Any, url: str, secret: str) -> None:
    """A closed wish wall in the list (s6), preferences saved meanwhile by an admin (s7:
    the conflict, who and when), and a grid member's 通知记录 opened by an admin (c40),
    desktop-sized."""
    admin = {"Authorization": f"Bearer {dev_token(url, 'admin1')}"}
    wall_id = f"W-{secrets.token_hex(2)}"
    httpx.post(
        f"{url}/api/intake/v1/walls",
        json={"wall_id": wall_id, "community_code": "510302001002", "name": "柳荫巷心愿墙"},
        headers=admin,
        timeout=30,
    ).raise_for_status()
    httpx.patch(
        f"{url}/api/intake/v1/walls/{wall_id}", json={"closed": True}, headers=admin, timeout=30
    ).raise_for_status()
    pushed = push(url, secret, content=f"楼道的灯坏了好几天（示例 {secrets.token_hex(2)}）")

    page = signed_in(browser, url, "sm12")
    page.goto(f"{url}/console/settings?tab=walls")
    page.locator(f'[data-wall="{wall_id}"] [data-state="closed"]').wait_for()
    shot(page, "s6-settings-wish-wall-closed", full_page=True)

    def admin_saves(quiet_hours: str) -> None:
        httpx.put(
            f"{url}/api/notify/v1/preferences/sm12",
            json={"quiet_hours": quiet_hours},
            headers=admin,
            timeout=30,
        ).raise_for_status()

    admin_saves("21:00-07:00")  # a saved row, so the page reads a version to send back
    page.goto(f"{url}/console/settings?tab=preferences")
    page.locator("#preferences-email").wait_for()
    admin_saves("22:00-07:00")
    page.locator('[data-quiet="none"]').check()
    page.get_by_role("button", name="保存").click()
    page.get_by_role("alert").filter(has_text="别人在您打开后改过").wait_for()
    shot(page, "s7-settings-preferences-conflict")
    page.context.close()

    ops = {"Authorization": f"Bearer {dev_token(url, 'ops1')}"}
    for _ in range(120):  # notify sends the SMS about the ticket to its grid member
        sent = httpx.get(
            f"{url}/api/notify/v1/cases/{pushed['case_id']}/deliveries", headers=ops, timeout=30
        ).json()
        staff = [d for d in sent if d["recipient_id"].startswith("staff:")]
        if staff:
            break
        time.sleep(0.5)
    member = staff[0]["recipient_id"].removeprefix("staff:")
    page = signed_in(browser, url, "admin1")
    page.goto(f"{url}/console/staff/{member}/deliveries")
    page.locator("[data-person-deliveries]").wait_for()
    shot(page, "c40-console-person-deliveries", full_page=True)
    page.context.close()


def _console_and_oversight(browser: Browser, args: argparse.Namespace) -> None:
    console_screens(browser, args.url, args.hotline_secret)
    oversight_screens(browser, args.url)


# Which screens each --only takes (None: a run without --only); the phone's come last.
SCREENS: list[tuple[tuple[str | None, ...], Callable[[Browser, argparse.Namespace], None]]] = [
    ((None, "field"), lambda b, a: field_screens(b, a.url)),
    ((None, "console"), _console_and_oversight),
    ((None, "console", "attachments"), lambda b, a: attachment_screens(b, a.url)),
    ((None, "console", "desk"), lambda b, a: desk_screens(b, a.url, a.hotline_secret)),
    ((None, "console", "admin"), lambda b, a: admin_screens(b, a.url, a.hotline_secret)),
    ((None, "console", "handoffs"), lambda b, a: handoff_screens(b, a.url, a.hotline_secret)),
    (("members",), lambda b, a: member_screens(b, a.url)),
    ((None, "console", "settings"), lambda b, a: settings_screens(b, a.url)),
    ((None, "console", "versions"), lambda b, a: versions_screens(b, a.url, a.hotline_secret)),
    ((None, "console", "admin", "deadline"), lambda b, a: deadline_screens(b, a.url)),
    ((None, "console", "case"), lambda b, a: case_screens(b, a.url, a.hotline_secret)),
    ((None, "console", "gaps"), lambda b, a: gap_screens(b, a.url, a.hotline_secret)),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--hotline-secret", default=DEV_HOTLINE_SECRET)
    parser.add_argument(
        "--only",
        choices=sorted({name for takers, _ in SCREENS for name in takers if name} | {"phone"}),
        help="the phone app's, the console's (desk: the console's from c10 on; admin: "
        "administration's settings, c15 on; handoffs: 改派, 认领 and 超期/推诿, c30 on; "
        "members: the rates by member and the assessment; attachments: a case page's 附件, "
        "c9; settings: phrases, preferences, wish walls; versions: an edit conflict and a "
        "supervision answer; deadline: 时限试算, c20; case: the case table's filters and a "
        "case's 办理时限 and 已发送的通知, c21-c23; gaps: a closed wish wall, a preferences "
        "conflict, a person's notifications, s6, s7, c40), or the field work's (patrol, "
        "visits) screens",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
        for takers, screens in SCREENS:
            if args.only in takers:
                screens(browser, args)
        if args.only not in (None, "phone"):
            browser.close()
            return
        pushed = push(args.url, args.hotline_secret)
        # A second case a little further north, for 按距离.
        push(args.url, args.hotline_secret, lat=29.3585, lon=104.7725)
        # The district's 退单 phrases (常用语), kept by its dispatcher; the phone offers them.
        httpx.put(
            f"{args.url}/api/dispatch/v1/phrases",
            json={
                "action": "return",
                "phrases": ["不属于本网格，请改派", "需职能部门处理", "地址有误，无法找到"],
            },
            headers={"Authorization": f"Bearer {dev_token(args.url, 'dp1')}"},
            timeout=30,
        ).raise_for_status()
        context = browser.new_context(**PHONE)
        page = context.new_page()
        page.goto(f"{args.url}/sign-in")
        page.locator("button[data-staff-id=gm111a]").wait_for()
        shot(page, "1-sign-in")
        page.locator("button[data-staff-id=gm111a]").click()
        card = page.locator(f'a[data-tracking-no="{pushed["tracking_no"]}"]')
        for _ in range(60):
            page.wait_for_url("**/tasks")
            if card.count():
                break
            page.wait_for_timeout(500)
            page.reload()
        shot(page, "2-tasks")
        page.locator(".inbox-button").click()
        page.get_by_role("button", name="关闭").wait_for()
        shot(page, "2b-inbox")
        page.get_by_role("button", name="关闭").click()
        # 按距离, standing at the first case (the browser's position, permission given).
        context.grant_permissions(["geolocation"], origin=args.url)
        context.set_geolocation({"latitude": 29.3545, "longitude": 104.7725, "accuracy": 10})
        page.get_by_role("button", name="按距离").click()
        page.locator("[data-distance]").first.wait_for()
        shot(page, "2c-tasks-nearest")
        card.click()
        page.get_by_role("button", name="签收").wait_for()
        shot(page, "3-case-to-sign-for", full_page=True)
        page.get_by_role("button", name="退单").click()
        page.locator("[data-phrases] button").first.wait_for()
        shot(page, "4-return-sheet")
        page.get_by_role("button", name="取消").click()
        page.get_by_role("button", name="签收").click()
        page.get_by_role("button", name="办结").wait_for()
        shot(page, "5-case-signed-for")
        page.get_by_role("button", name="首次联系").click()
        page.get_by_role("button", name="拨打诉求人电话").wait_for()
        shot(page, "5b-first-contact-call")
        page.get_by_role("button", name="取消").click()
        page.get_by_role("button", name="申请延期").click()
        page.get_by_role("button", name="7 天").click()
        page.get_by_role("button", name="需要采购材料").click()
        shot(page, "10-extension-sheet")
        page.get_by_role("button", name="取消").click()
        page.get_by_role("button", name="办结").click()
        page.get_by_label("办理情况").fill("已上门协调，装修方承诺晚上8点后停工。")
        # Two different pictures: the same one twice would be one attachment.
        for kind, size in (("before", (1600, 1200)), ("after", (1200, 900))):
            page.locator(f"[data-photo-kind={kind}] input.photo-input").set_input_files(
                files=[{"name": f"{kind}.png", "mimeType": "image/png", "buffer": photo(*size)}]
            )
            page.get_by_alt_text(
                "整改前照片预览" if kind == "before" else "整改后照片预览"
            ).wait_for()
        shot(page, "6-resolve-sheet")
        page.get_by_role("button", name="确认办结").click()
        page.get_by_role("status").filter(has_text="已办结").wait_for()
        page.locator("[data-photo-pair] img").first.wait_for()
        shot(page, "7-case-resolved", full_page=True)
        # Offline (a basement, a lift): the installed app opens with the last task list.
        page.goto(f"{args.url}/tasks")
        page.locator("a[data-tracking-no]").first.wait_for()
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        context.set_offline(True)
        page.reload()
        page.get_by_text("离线，显示的是上次的数据").wait_for()
        page.locator("a[data-tracking-no]").first.wait_for()
        shot(page, "11-offline-tasks")
        context.set_offline(False)
        browser.close()


if __name__ == "__main__":
    main()
