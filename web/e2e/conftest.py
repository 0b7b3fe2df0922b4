"""Browser tests: the real stack (the four services as processes with the demo city, as
tests/e2e starts them), nginx serving the built app in front of them, and Debian's headless
Chromium driven by Playwright. Each journey is a file of its own.

With ``CI`` set, a missing Chromium, nginx or built app (web/dist) fails the run; elsewhere
it skips, saying what to install."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import struct
import sys
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from gridcase_cli import webstack
from gridcase_events.kit import signing
from gridcase_events.testing import bearer, eventually, free_port

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("GRIDCASE_CHROMIUM", "/usr/bin/chromium"))
# Without these, Chromium keeps calling home on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}
GRID_MEMBER = bearer("gm111a", "grid_member", "510302001001001")


def _load_platform_fixtures() -> Any:
    # It imports tests/processes.py, which a run of web/e2e alone does not make importable.
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    spec = importlib.util.spec_from_file_location(
        "gridcase_e2e_platform", REPO / "tests" / "e2e" / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_platform = _load_platform_fixtures()
platform = _platform.platform
platform_env = _platform.platform_env
platform_admin = _platform.platform_admin
Platform = _platform.Platform
HOTLINE_SECRET: str = _platform.HOTLINE_SECRET


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI must run the browser tests)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def web_dist() -> Path:
    dist = webstack.WEB / "dist"
    if not (dist / "index.html").exists():
        _missing("web/dist is not built: cd web && npm ci && npm run build")
    return dist


@pytest.fixture(scope="module")
def workbench(platform: Any, web_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The one origin: nginx with deploy/nginx/gridcase.conf on a free port."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        _missing("nginx is missing: apt-get install -y nginx")
    port = free_port()
    proc = webstack.start_nginx(
        run_dir=tmp_path_factory.mktemp("nginx"), port=port, web_root=web_dist, urls=platform.urls
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        webstack.stop_nginx(proc)


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    return CHROMIUM


@pytest.fixture(scope="module")
async def browser(chromium: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Phone:
    page: Any
    console_errors: list[str]


@pytest.fixture
async def phone(browser: Any) -> AsyncIterator[Phone]:
    """A phone-sized page in zh-CN that records console errors (CSP violations among them)."""
    context = await browser.new_context(
        viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", has_touch=True
    )
    page = await context.new_page()
    try:
        yield Phone(page, record_console_errors(page))
    finally:
        await context.close()


def record_console_errors(page: Any) -> list[str]:
    """The page's script errors and CSP violations, as they come; an API's 4xx is the
    page's to explain (the browser logs it as "Failed to load resource")."""
    errors: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("console", on_console)
    return errors


async def push_ticket(platform: Any, content: str, **fields: Any) -> dict[str, str]:
    """A signed 12345 ticket at 桂花路1号1栋 (grid 510302001001001, A post gm111a);
    `fields` replace the ticket's own (None leaves a field out)."""
    ticket = {
        "ticket_no": f"WEB-{secrets.token_hex(4)}",
        "received_at": datetime.now(UTC).isoformat(),
        "caller_phone": "13912345678",
        "content": content,
        "category_hint": "environment/garbage-overflow",
        "lat": 29.355,
        "lon": 104.7725,
    }
    ticket.update(fields)
    ticket = {key: value for key, value in ticket.items() if value is not None}
    body = json.dumps(ticket, ensure_ascii=False).encode()
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{platform.urls['intake']}/v1/hotline/tickets",
            content=body,
            headers={
                "Content-Type": "application/json",
                signing.HEADER: signing.sign(HOTLINE_SECRET, body, now=datetime.now(UTC)),
            },
        )
    assert response.status_code in (200, 201), response.text
    result: dict[str, str] = response.json()
    return result


async def case_in_dispatch(platform: Any, case_id: str, *, status: str) -> dict[str, Any]:
    """The case as dispatch has it, once it has reached `status` (routing runs over Kafka)."""

    async def check() -> dict[str, Any] | None:
        async with httpx.AsyncClient() as client:
            response = await client.get(
                f"{platform.urls['dispatch']}/v1/cases/{case_id}", headers=GRID_MEMBER
            )
        if response.status_code == 200 and response.json()["status"] == status:
            found: dict[str, Any] = response.json()
            return found
        return None

    result: dict[str, Any] = await eventually(check, timeout=60)
    return result


async def serious_accessibility_problems(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.async_playwright import Axe

    result = await Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def a_photo(width: int = 1200, height: int = 900) -> bytes:
    """A PNG of a plain picture, as a camera would hand over a (much larger) one."""
    row = b"\x00" + bytes([40, 120, 200]) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


@dataclass
class Journey:
    """What a journey needs besides the browser, bound to the running platform."""

    platform: Any
    base_url: str
    grid_member: dict[str, str]

    async def push_ticket(self, content: str, **fields: Any) -> dict[str, str]:
        return await push_ticket(self.platform, content, **fields)

    async def case_in_dispatch(self, case_id: str, *, status: str) -> dict[str, Any]:
        return await case_in_dispatch(self.platform, case_id, status=status)

    async def accessibility_problems(self, page: Any) -> list[str]:
        return await serious_accessibility_problems(page)

    def photo(self, width: int = 1200, height: int = 900) -> bytes:
        return a_photo(width, height)

    async def desk(self, browser: Any, staff_id: str) -> tuple[Any, Any, list[str]]:
        """A desk-sized page in zh-CN, signed in as `staff_id` through the development
        sign-in and landed (console or tasks): its context (the caller closes it), the
        page, and the console errors recorded from the start."""
        context = await browser.new_context(
            viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        page = await context.new_page()
        errors = record_console_errors(page)
        await page.goto(f"{self.base_url}/sign-in")
        await page.locator(f'[data-staff-id="{staff_id}"]').click()
        await page.wait_for_url(re.compile(r".*/(console|tasks)$"))
        return context, page, errors


@pytest.fixture
def journey(platform: Any, workbench: str) -> Journey:
    return Journey(platform, workbench, GRID_MEMBER)
