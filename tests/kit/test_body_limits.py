"""Each of the four services refuses an oversized body with 413 before it reads the body
in full or asks for a token (a client without a token cannot exhaust its memory)."""

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from dispatch.config import DispatchSettings
from dispatch.main import create_app as create_dispatch
from escalation.config import EscalationSettings
from escalation.main import create_app as create_escalation
from intake.config import IntakeSettings
from intake.main import create_app as create_intake
from notify.config import NotifySettings
from notify.main import create_app as create_notify

LIMIT = 4096
PARAM = re.compile(r"\{[^}]+\}")
UUID = "0190e0a0-0000-7000-8000-000000000000"

SERVICES: dict[str, Callable[[], FastAPI]] = {
    "intake": lambda: create_intake(IntakeSettings(env="development", max_body_bytes=LIMIT)),
    "dispatch": lambda: create_dispatch(DispatchSettings(env="development", max_body_bytes=LIMIT)),
    "escalation": lambda: create_escalation(
        EscalationSettings(env="development", max_body_bytes=LIMIT)
    ),
    "notify": lambda: create_notify(NotifySettings(env="development", max_body_bytes=LIMIT)),
}


def json_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of the operations that take a JSON body (from the OpenAPI
    document), path parameters filled in: they are checked after the body is read.
    The hotline push bounds its own signed bytes."""
    return [
        (method.upper(), PARAM.sub(UUID, path))
        for path, operations in app.openapi()["paths"].items()
        if not path.startswith("/v1/hotline/")
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_oversized_json_body_is_413_before_authentication(service: str) -> None:
    app = SERVICES[service]()
    routes = json_routes(app)
    assert routes, f"{service} has no route with a body to try"
    body = b'{"x": "' + b"x" * LIMIT + b'"}'
    # No lifespan: the answer comes before anything needs the database.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answers: dict[str, Any] = {}
        for method, path in routes:
            answer = await client.request(
                method, path, content=body, headers={"Content-Type": "application/json"}
            )
            answers[f"{method} {path}"] = (answer.status_code, answer.json())
    expected = {"detail": f"body over the limit of {LIMIT} bytes"}
    assert answers == {f"{method} {path}": (413, expected) for method, path in routes}
