"""A property-based run over dispatch's OpenAPI (schemathesis) finds no 5xx.

dispatch runs for real (migrations, producer, relay, consumers) behind uvicorn on a free
loopback port, with the demo city's directory imported; schemathesis runs as its own
process against it, every request carrying an admin's bearer token, so the worklist,
directory and case endpoints are fuzzed past authentication (issue 16)."""

import asyncio
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from dispatch.config import DispatchSettings
from dispatch.main import create_app
from gridcase_events.testing import bearer, free_port

pytestmark = pytest.mark.integration

DEMO = Path(__file__).resolve().parents[3] / "deploy" / "demo"
ADMIN = bearer("admin-openapi", "admin", "510302")


class CountStatuses:
    """Counts the answers (by status) of the endpoints that need a token."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.statuses: Counter[int] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return

        async def record(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.statuses[message["status"]] += 1
            await send(message)

        await self.app(scope, receive, record)


async def test_no_operation_answers_5xx_to_generated_requests(
    fresh_database: str, kafka_bootstrap: str, namespace: str, tmp_path: Path
) -> None:
    settings = DispatchSettings(
        env="development",
        database_url=fresh_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
    )
    app = CountStatuses(create_app(settings))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not serving.done(), "the service did not start"
            await asyncio.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            for kind, name in (
                ("departments", "departments.csv"),
                ("areas", "areas.geojson"),
                ("categories", "categories.csv"),
                ("staff", "staff.csv"),
            ):
                imported = await client.post(
                    "/v1/directory/import",
                    params={"kind": kind},
                    files={"file": (name, (DEMO / name).read_bytes())},
                    headers=ADMIN,
                )
                assert imported.status_code == 200, imported.text
        app.statuses.clear()
        report = tmp_path / "report.json"
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{base}/openapi.json",
            "--header",
            f"Authorization: {ADMIN['Authorization']}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "15",
            "--seed",
            "20261128",
            "--workers",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
            "--request-timeout",
            "10",
            "--report",
            "json",
            "--report-json-path",
            str(report),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""},
            cwd=tmp_path,  # its cache (.schemathesis/) stays out of the work tree
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=300)
    finally:
        server.should_exit = True
        await serving

    text = output.decode(errors="replace")
    print(dict(app.statuses))
    assert process.returncode == 0, text[-6000:]
    assert json.loads(report.read_text()), "schemathesis wrote no report"
    # The token got requests past authentication, and nothing answered 5xx.
    assert sum(n for s, n in app.statuses.items() if 200 <= s < 300) > 0, app.statuses
    assert not [s for s in app.statuses if s >= 500], app.statuses
