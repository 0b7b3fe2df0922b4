"""附件 on the console's case page: a resident sends a wish with a photo from a wish wall;
the dispatcher opens the case and sees the photo as a thumbnail (fetched with the
dispatcher's token, no public URL), described for screen readers, and opens it full size
from the keyboard."""

import secrets
from typing import Any

import httpx
import pytest

from gridcase_events.testing import bearer, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DESK = {"width": 1440, "height": 900}
ADMIN = bearer("admin-1", "admin")
DISPATCHER = bearer("dp1", "dispatcher", "510302")
COMMUNITY = "510302001001"
AT_THE_WALL = {"lat": 29.355, "lon": 104.7725}  # 桂花路1号1栋, grid 510302001001001


async def wish_with_a_photo(journey: Any, content: str, photo: bytes) -> str:
    """A resident's wish at a wish wall with a photo uploaded there; the case's id once
    dispatch has it."""
    intake = journey.platform.urls["intake"]
    wall_id = f"W-{secrets.token_hex(3)}"
    async with httpx.AsyncClient() as client:
        wall = await client.post(
            f"{intake}/v1/walls",
            json={
                "wall_id": wall_id,
                "community_code": COMMUNITY,
                "name": "桂花社区心愿墙",
                "location": AT_THE_WALL,
            },
            headers=ADMIN,
        )
        assert wall.status_code == 201, wall.text
        uploaded = await client.post(
            f"{intake}/v1/public/walls/{wall_id}/attachments",
            files={"file": ("photo.png", photo, "image/png")},
        )
        assert uploaded.status_code == 201, uploaded.text
        wish = await client.post(
            f"{intake}/v1/public/walls/{wall_id}/wishes",
            json={"content": content, "attachments": [uploaded.json()["url"]]},
        )
        assert wish.status_code == 201, wish.text
    tracking_no = wish.json()["tracking_no"]

    async def in_dispatch() -> str | None:
        async with httpx.AsyncClient() as client:
            found = await client.get(
                f"{journey.platform.urls['dispatch']}/v1/cases",
                params={"tracking_no": tracking_no},
                headers=DISPATCHER,
            )
        items = found.json()["items"] if found.status_code == 200 else []
        return str(items[0]["id"]) if items else None

    case_id: str = await eventually(in_dispatch, timeout=60)
    return case_id


async def test_a_dispatcher_sees_the_photo_a_resident_sent_and_opens_it_full_size(
    journey: Any, browser: Any
) -> None:
    words = f"小区门口的路灯坏了好几天 {secrets.token_hex(3)}"
    case_id = await wish_with_a_photo(journey, words, journey.photo(1200, 900))

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
    try:
        await page.goto(f"{journey.base_url}/sign-in")
        await page.locator('[data-staff-id="dp1"]').click()
        await page.wait_for_url("**/console")
        await page.goto(f"{journey.base_url}/console/cases/{case_id}")
        await page.get_by_text(words).wait_for()

        # 附件: the resident's photo as a thumbnail, with its alt text, loaded from intake
        # with the dispatcher's token (the bytes as sent: 1200 × 900).
        section = page.get_by_role("region", name="附件")
        await section.get_by_role("heading", name="附件").wait_for()
        photo = section.get_by_role("img", name="附件照片 1")
        await photo.wait_for()
        await page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=await photo.element_handle()
        )
        assert await photo.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [1200, 900]
        assert (await photo.get_attribute("src") or "").startswith("blob:")
        assert " KB" in await section.inner_text()  # its size as stored, as a person reads it
        assert await journey.accessibility_problems(page) == []

        # Opened full size from the keyboard: the link takes focus and Enter opens it.
        link = section.get_by_role("link", name="查看原图：附件照片 1")
        await link.focus()
        async with context.expect_page() as opened:
            await page.keyboard.press("Enter")
        full = await opened.value
        assert full.url.startswith("blob:")
        await full.close()
        assert errors == []
    finally:
        await context.close()
