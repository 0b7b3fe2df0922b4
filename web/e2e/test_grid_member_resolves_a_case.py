"""A grid member signs in on the development page, sees a case pushed through the signed
12345 endpoint appear live in 今日任务, signs for it, and resolves it with photos of the
site before and after, taken on the phone; the photos taken survive a reload until the
办结 is sent."""

import secrets
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

# The keys of the photos kept on the phone (IndexedDB, the outbox's photo store).
KEPT_PHOTOS = """() => new Promise((resolve, reject) => {
  const opening = indexedDB.open('gridcase-outbox', 1)
  opening.onerror = () => reject(opening.error)
  opening.onsuccess = () => {
    const db = opening.result
    const keys = db.transaction('photos', 'readonly').objectStore('photos').getAllKeys()
    keys.onsuccess = () => { db.close(); resolve(keys.result) }
    keys.onerror = () => reject(keys.error)
  }
})"""


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame marker."""
    i = 2
    while i < len(data):
        marker, length = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height
        i += 2 + length
    raise AssertionError("no start-of-frame marker")


async def test_grid_member_signs_for_and_resolves_a_case_with_a_photo(
    journey: Any, phone: Any
) -> None:
    page, workbench = phone.page, journey.base_url
    content = f"桂花路1号1栋楼下垃圾桶满溢，气味很大 {secrets.token_hex(3)}"

    # Signed out, the app opens on the development sign-in page.
    await page.goto(f"{workbench}/")
    sign_in = page.get_by_role("button", name="以 李磊静（网格员 · 桂花社区一网格 · A岗）登录")
    await sign_in.wait_for()
    assert await page.get_by_role("heading", level=1).inner_text() == "开发环境登录"
    assert await journey.accessibility_problems(page) == []
    await sign_in.click()
    await page.wait_for_url(f"{workbench}/tasks")
    await page.get_by_text("共 0 件").wait_for()

    # A 12345 ticket is pushed; the assignment reaches the open 今日任务 over the inbox
    # stream, and the list shows the case without a reload.
    pushed = await journey.push_ticket(content)
    card = page.locator(f'a[data-tracking-no="{pushed["tracking_no"]}"]')
    await card.wait_for()
    assert content in await card.inner_text()
    assert await card.locator("[data-status]").inner_text() == "待签收"
    assert (await page.get_by_role("status").inner_text()).startswith("新任务：")
    assert await page.locator("[data-unread]").inner_text() == "1"
    assert await journey.accessibility_problems(page) == []

    # The inbox lists the assignment; looking at it clears the badge.
    await page.get_by_role("button", name="1 条未读消息").click()
    await page.get_by_role("heading", name="消息").wait_for()
    assert await journey.accessibility_problems(page) == []
    await page.get_by_role("button", name="关闭").click()
    assert await page.locator("[data-unread]").count() == 0

    # The case page: what the resident said, and 签收.
    await card.click()
    await page.wait_for_url(f"{workbench}/cases/{pushed['case_id']}")
    await page.get_by_text(content).wait_for()
    assert await page.get_by_role("heading", level=1).inner_text() == "案件详情"
    # Why the case came to me: dispatch's reason code in Chinese, my grid by its name,
    # not dispatch's English text.
    timeline = page.locator(".timeline")
    await timeline.get_by_text("上报坐标位于桂花社区一网格内").wait_for()
    assert "lies in" not in await timeline.inner_text()
    assert await journey.accessibility_problems(page) == []
    await page.get_by_role("button", name="签收").click()
    await page.get_by_role("status").filter(has_text="已签收").wait_for()
    assert await page.locator(".card [data-status]").inner_text() == "办理中"

    # 办结 with a note and the site before and after, photos compressed in the browser
    # before upload; both are needed.
    await page.get_by_role("button", name="办结").click()
    note = page.get_by_label("办理情况")
    await note.wait_for()
    assert await journey.accessibility_problems(page) == []
    await note.fill("已联系环卫清运，垃圾桶已清空")
    original = journey.photo(4000, 3000)
    await page.locator("[data-photo-kind=after] input.photo-input").set_input_files(
        files=[{"name": "after.png", "mimeType": "image/png", "buffer": original}]
    )
    await page.get_by_text("照片已添加").wait_for()
    await page.get_by_role("button", name="确认办结").click()
    await page.get_by_text("请拍整改前、整改后各一张照片").wait_for()
    await page.locator("[data-photo-kind=before] input.photo-input").set_input_files(
        files=[{"name": "before.png", "mimeType": "image/png", "buffer": journey.photo(800, 600)}]
    )
    await page.get_by_alt_text("整改前照片预览").wait_for()
    assert await journey.accessibility_problems(page) == []

    # A reload before sending loses neither the note nor the photos.
    case_id = pushed["case_id"]
    assert sorted(await page.evaluate(KEPT_PHOTOS)) == [
        f"draft.case.{case_id}.resolve.after",
        f"draft.case.{case_id}.resolve.before",
    ]
    await page.reload()
    await page.get_by_text(content).wait_for()
    await page.get_by_role("button", name="办结").click()
    await page.get_by_alt_text("整改前照片预览").wait_for()
    await page.get_by_alt_text("整改后照片预览").wait_for()
    assert await page.get_by_label("办理情况").input_value() == "已联系环卫清运，垃圾桶已清空"
    assert await journey.accessibility_problems(page) == []
    await page.get_by_role("button", name="确认办结").click()
    await page.get_by_role("status").filter(has_text="已办结").wait_for()
    assert await page.locator(".card [data-status]").inner_text() == "已办结"
    # Sent: the photos are no longer kept on the phone.
    for _ in range(50):
        if await page.evaluate(KEPT_PHOTOS) == []:
            break
        await page.wait_for_timeout(100)
    assert await page.evaluate(KEPT_PHOTOS) == []
    # The case page shows the two as a pair.
    pair = page.locator("[data-photo-pair]")
    await pair.get_by_alt_text("整改前").wait_for()
    await pair.get_by_alt_text("整改后").wait_for()
    assert await journey.accessibility_problems(page) == []

    # Dispatch has it resolved, with both photos stored by intake as its evidence.
    resolved = await journey.case_in_dispatch(pushed["case_id"], status="resolved")
    assert resolved["resolution_note"] == "已联系环卫清运，垃圾桶已清空"
    assert resolved["resolved_by"] == "gm111a"
    assert len(resolved["evidence"]) == 2
    assert sorted(resolved["evidence_kinds"].values()) == ["after", "before"]
    after = next(url for url, kind in resolved["evidence_kinds"].items() if kind == "after")
    name = after.rsplit("/", 1)[-1]
    async with httpx.AsyncClient() as client:
        photo = await client.get(
            f"{journey.platform.urls['intake']}/v1/attachments/{name}", headers=journey.grid_member
        )
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/jpeg"
    assert photo.content.startswith(b"\xff\xd8")
    assert jpeg_size(photo.content) == (1600, 1200)  # the 4000 × 3000 picture, scaled down
    assert phone.console_errors == []
