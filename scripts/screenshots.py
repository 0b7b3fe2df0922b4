"""Saves a screenshot of every screen of the workbench to docs/screenshots/, phone-sized,
in zh-CN, from a running stack (`make up`; Debian's chromium and fonts-noto-cjk):

    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8080]

It pushes a signed 12345 ticket through the one origin (development hotline secret),
signs in as the demo grid member 李磊静 (gm111a) and works that case to resolution.
"""

from __future__ import annotations

import argparse
import json
import secrets
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

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


def push(url: str, secret: str) -> dict[str, str]:
    ticket = {
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--hotline-secret", default=DEV_HOTLINE_SECRET)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    pushed = push(args.url, args.hotline_secret)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            has_touch=True,
        )
        page = context.new_page()

        def shot(name: str, *, full_page: bool = False) -> None:
            page.wait_for_timeout(400)  # let transitions settle before the picture
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=full_page)
            print(f"saved docs/screenshots/{name}.png")

        page.goto(f"{args.url}/sign-in")
        page.locator("button[data-staff-id=gm111a]").wait_for()
        shot("1-sign-in")
        page.locator("button[data-staff-id=gm111a]").click()
        card = page.locator(f'a[data-tracking-no="{pushed["tracking_no"]}"]')
        for _ in range(60):
            page.wait_for_url("**/tasks")
            if card.count():
                break
            page.wait_for_timeout(500)
            page.reload()
        shot("2-tasks")
        page.locator(".inbox-button").click()
        page.get_by_role("button", name="关闭").wait_for()
        shot("2b-inbox")
        page.get_by_role("button", name="关闭").click()
        card.click()
        page.get_by_role("button", name="签收").wait_for()
        shot("3-case-to-sign-for", full_page=True)
        page.get_by_role("button", name="退单").click()
        page.get_by_label("退单原因").wait_for()
        shot("4-return-sheet")
        page.get_by_role("button", name="取消").click()
        page.get_by_role("button", name="签收").click()
        page.get_by_role("button", name="办结").wait_for()
        shot("5-case-signed-for")
        page.get_by_role("button", name="办结").click()
        page.get_by_label("办理情况").fill("已上门协调，装修方承诺晚上8点后停工。")
        page.locator("input.photo-input").set_input_files(
            files=[{"name": "site.png", "mimeType": "image/png", "buffer": photo()}]
        )
        page.get_by_text("照片已添加").wait_for()
        shot("6-resolve-sheet")
        page.get_by_role("button", name="确认办结").click()
        page.get_by_role("status").filter(has_text="已办结").wait_for()
        page.locator(".photos img").first.wait_for()
        shot("7-case-resolved", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
