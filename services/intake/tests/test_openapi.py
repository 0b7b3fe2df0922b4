"""A property-based run over intake's OpenAPI (schemathesis) finds no 5xx.

The service runs for real (migrations, producer, relay, consumers) behind uvicorn on a
free loopback port; schemathesis runs as its own process against it. Hotline requests
pass through a test-only ASGI wrapper that signs whatever body schemathesis generated
with a current hotline secret, so its data reaches validation (422) and storage (201)
instead of stopping at the signature (401, covered by the signature tests). Every request
carries an admin's bearer token, so the staff endpoints are fuzzed past authentication
(issue 16: schemathesis with authenticated requests)."""

import asyncio
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from gridcase_events.kit import signing
from gridcase_events.testing import bearer, free_port
from intake.config import IntakeSettings
from intake.main import create_app

pytestmark = pytest.mark.integration

SECRET = "hotline-secret-openapi"


class SignHotlineRequests:
    """Re-signs every hotline request body (as the 12345 platform would)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.statuses: Counter[int] = Counter()
        self.staff_statuses: Counter[int] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/hotline/"):
            await self.app(scope, receive, self._staff(scope, send))
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        signature = signing.sign(SECRET, body, now=_now())
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"x-gridcase-signature"]
        scope = {**scope, "headers": [*headers, (b"x-gridcase-signature", signature.encode())]}
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def record(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.statuses[message["status"]] += 1
            await send(message)

        await self.app(scope, replay, record)

    def _staff(self, scope: Any, send: Any) -> Any:
        """Counts the answers of staff endpoints (those that need a token)."""
        staff = (
            scope["type"] == "http"
            and scope["path"].startswith("/v1/")
            and not (scope["path"].startswith("/v1/public/"))
        )

        async def record(message: Any) -> None:
            if staff and message["type"] == "http.response.start":
                self.staff_statuses[message["status"]] += 1
            await send(message)

        return record


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(time.time(), tz=UTC)


async def test_no_operation_answers_5xx_to_generated_requests(
    fresh_database: str, kafka_bootstrap: str, namespace: str, tmp_path: Path
) -> None:
    settings = IntakeSettings(
        env="development",
        database_url=fresh_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
        hotline_secrets_raw=SECRET,
        max_body_bytes=64 * 1024,
    )
    app = SignHotlineRequests(create_app(settings))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not serving.done(), "the service did not start"
            await asyncio.sleep(0.05)
        report = tmp_path / "report.json"
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"http://127.0.0.1:{port}/openapi.json",
            "--header",
            f"Authorization: {bearer('admin-openapi', 'admin')['Authorization']}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "30",
            "--seed",
            "20261121",
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
        output, _ = await asyncio.wait_for(process.communicate(), timeout=240)
    finally:
        server.should_exit = True
        await serving

    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-6000:]
    assert json.loads(report.read_text()), "schemathesis wrote no report"
    # Signed hotline requests reached validation, not only the signature check.
    assert app.statuses[422] > 0, app.statuses
    print(dict(app.statuses))
    assert not [s for s in app.statuses if s >= 500], app.statuses
    # The token got the staff endpoints' requests past authentication.
    print(dict(app.staff_statuses))
    assert sum(n for s, n in app.staff_statuses.items() if 200 <= s < 300) > 0
    assert not [s for s in app.staff_statuses if s >= 500], app.staff_statuses
