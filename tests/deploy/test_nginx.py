"""deploy/nginx/gridcase.conf, run by Debian's nginx as `make up` runs it, in front of a
small upstream of the test's own: the API prefixes are stripped, Server-Sent Events
stream through unbuffered, the app gets its security headers, gzip and SPA fallback; and
docker-compose's web service fills every placeholder of the same file."""

import os
import re
import shutil
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from gridcase_cli import webstack
from gridcase_events.testing import free_port

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "dispatch", "escalation", "notify")
PLACEHOLDERS = set(re.findall(r"\$\{(GRIDCASE_[A-Z_]+)\}", webstack.CONFIG.read_text()))


def test_compose_web_service_fills_every_placeholder_of_the_config() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    web = compose["services"]["web"]

    assert set(web["environment"]) == PLACEHOLDERS
    assert web["ports"] == ["8080:8080"]
    for service in SERVICES:
        port = compose["services"][service]["ports"][0].split(":")[0]
        assert web["environment"][f"GRIDCASE_{service.upper()}_URL"] == (f"http://{service}:{port}")


def test_dockerfile_defaults_fill_every_placeholder_too() -> None:
    dockerfile = (REPO / "web" / "Dockerfile").read_text()

    assert {name for name in PLACEHOLDERS if f"{name}=" in dockerfile} == PLACEHOLDERS
    assert "COPY deploy/nginx/gridcase.conf /etc/nginx/templates/" in dockerfile


def test_connect_src_takes_origins_only(tmp_path: Path) -> None:
    with pytest.raises(webstack.WebStackError, match="GRIDCASE_WEB_CONNECT_SRC"):
        webstack.nginx_config(
            run_dir=tmp_path,
            listen="8080",
            web_root=tmp_path,
            urls=dict.fromkeys(SERVICES, "http://upstream"),
            connect_src='https://sso.city.example"; add_header X 1',
        )


def test_connect_src_adds_the_identity_provider_to_the_csp(tmp_path: Path) -> None:
    webstack.nginx_config(
        run_dir=tmp_path,
        listen="8080",
        web_root=tmp_path,
        urls=dict.fromkeys(SERVICES, "http://upstream"),
        connect_src="https://sso.city.example",
    )

    assert (
        "connect-src 'self' https://sso.city.example;" in (tmp_path / "gridcase.conf").read_text()
    )


def test_a_placeholder_without_a_value_is_an_error() -> None:
    with pytest.raises(webstack.WebStackError, match="GRIDCASE_NOTIFY_URL"):
        webstack.render(webstack.CONFIG.read_text(), {"GRIDCASE_WEB_LISTEN": "8080"})


# ------------------------------------------------------------------- a real nginx

release_stream = threading.Event()


async def echo(request: Request) -> JSONResponse:
    return JSONResponse(
        {
            "path": request.url.path,
            "query": request.url.query,
            "forwarded_for": request.headers.get("x-forwarded-for"),
            "big": "网格" * 2000,
        }
    )


async def stream(request: Request) -> StreamingResponse:
    async def events() -> AsyncIterator[bytes]:
        yield b"id: 1\ndata: first\n\n"
        # The second event waits for the test to have read the first one: if nginx held
        # the response back, the test would never see "first" and time out.
        while not release_stream.is_set():
            await _sleep_a_little()
        yield b"id: 2\ndata: second\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


async def _sleep_a_little() -> None:
    import asyncio

    await asyncio.sleep(0.01)


upstream_app = Starlette(
    routes=[Route("/v1/inbox/stream", stream), Route("/{path:path}", echo, methods=["GET", "POST"])]
)


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(upstream_app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text("<!doctype html><title>app</title>", encoding="utf-8")
    (root / "assets").mkdir()
    (root / "assets" / "app-abc123.js").write_text("console.log(1);" * 200)
    return root


@pytest.fixture(scope="module")
def nginx(upstream: str, site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install nginx (Debian package)")
        pytest.skip("nginx is missing: apt-get install -y nginx")
    port = free_port()
    proc = webstack.start_nginx(
        run_dir=tmp_path_factory.mktemp("nginx"),
        port=port,
        web_root=site,
        urls=dict.fromkeys(SERVICES, upstream),
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        webstack.stop_nginx(proc)


@pytest.mark.parametrize("service", SERVICES)
def test_api_prefix_is_stripped_on_the_way_to_the_service(nginx: str, service: str) -> None:
    response = httpx.get(f"{nginx}/api/{service}/v1/tasks?limit=5")

    assert response.status_code == 200
    assert response.json()["path"] == "/v1/tasks"
    assert response.json()["query"] == "limit=5"
    assert response.json()["forwarded_for"] == "127.0.0.1"


def test_inbox_stream_reaches_the_browser_event_by_event(nginx: str) -> None:
    release_stream.clear()
    with httpx.stream(
        "GET",
        f"{nginx}/api/notify/v1/inbox/stream",
        headers={"Accept": "text/event-stream", "Accept-Encoding": "gzip"},
        timeout=10,
    ) as response:
        chunks = response.iter_raw()
        first = next(chunks)
        release_stream.set()
        rest = b"".join(chunks)

    assert first.startswith(b"id: 1\ndata: first")
    assert b"data: second" in first + rest
    assert "content-encoding" not in response.headers


def test_app_pages_carry_a_csp_without_inline_script_and_security_headers(nginx: str) -> None:
    response = httpx.get(f"{nginx}/cases/some-id")

    assert response.status_code == 200  # the SPA's route, answered by index.html
    assert "<title>app</title>" in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-cache"


def test_assets_are_gzipped_and_cached_for_good(nginx: str) -> None:
    response = httpx.get(f"{nginx}/assets/app-abc123.js", headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "max-age=315360000" in response.headers["cache-control"]
    assert response.headers["content-security-policy"]


def test_api_json_is_gzipped(nginx: str) -> None:
    response = httpx.get(f"{nginx}/api/dispatch/v1/tasks", headers={"Accept-Encoding": "gzip"})

    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["big"].startswith("网格")


def test_a_missing_asset_is_404_not_the_app(nginx: str) -> None:
    assert httpx.get(f"{nginx}/assets/gone-123.js").status_code == 404


def test_nginx_answers_its_own_health_check(nginx: str) -> None:
    assert httpx.get(f"{nginx}/healthz").text == "ok\n"
