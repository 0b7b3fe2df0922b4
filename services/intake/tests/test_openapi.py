"""A property-based run over intake's OpenAPI (schemathesis) finds no 5xx.

The service runs for real (migrations, producer, relay, consumers); schemathesis runs
against it (`gridcase_events.fuzzing`). Hotline requests pass through a test-only ASGI
wrapper that signs whatever body schemathesis generated with a current hotline secret,
so its data reaches validation (422) and storage (201) instead of stopping at the
signature (401, covered by the signature tests). Every request carries an admin's
bearer token, so the staff endpoints are fuzzed past authentication (issue 16:
schemathesis with authenticated requests)."""

import time
from pathlib import Path
from typing import Any

import pytest

from gridcase_events.fuzzing import fuzz_openapi
from gridcase_events.kit import signing
from gridcase_events.testing import bearer
from intake.config import IntakeSettings
from intake.main import create_app

pytestmark = pytest.mark.integration

SECRET = "hotline-secret-openapi"


class SignHotlineRequests:
    """Re-signs every hotline request body (as the 12345 platform would)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/hotline/"):
            await self.app(scope, receive, send)
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

        await self.app(scope, replay, send)


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

    run = await fuzz_openapi(
        app,
        workdir=tmp_path,
        headers={"Authorization": bearer("admin-openapi", "admin")["Authorization"]},
    )

    assert run.returncode == 0, run.output[-6000:]
    assert run.report, "schemathesis wrote no report"
    # Signed hotline requests reached validation, not only the signature check.
    hotline = run.statuses_where(lambda path: path.startswith("/v1/hotline/"))
    print(dict(hotline))
    assert hotline[422] > 0, hotline
    assert not run.server_errors, run.statuses
    # The token got the staff endpoints' requests past authentication.
    staff = run.statuses_where(
        lambda path: (
            path.startswith("/v1/") and not path.startswith(("/v1/public/", "/v1/hotline/"))
        )
    )
    print(dict(staff))
    assert sum(n for s, n in staff.items() if 200 <= s < 300) > 0, staff
