"""Text PostgreSQL cannot store (a NUL, a lone surrogate) is a 422, never a 500
(issue 16: the schemathesis run over notify)."""

import json
from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

OPS = bearer("ops1", "ops", "510302")
MEMBER = bearer("gm111a", "grid_member", "510302001001001")


@pytest.mark.parametrize(
    ("method", "path", "body", "headers"),
    [
        ("POST", "/v1/deliveries:resend", {"channel": "sms\x00"}, OPS),
        ("POST", "/v1/deliveries:resend", {"channel": "\ud800"}, OPS),
        ("PUT", "/v1/preferences/me", {"email": "a\x00@b.cn"}, MEMBER),
        ("PUT", "/v1/preferences/me", {"email": "\ud800@b.cn"}, MEMBER),
    ],
)
async def test_unstorable_text_in_a_body_is_a_422(
    client: Any, method: str, path: str, body: Any, headers: dict[str, str]
) -> None:
    answer = await client.request(
        method,
        path,
        content=json.dumps(body).encode(),  # a lone surrogate stays an escape (\ud800)
        headers={**headers, "Content-Type": "application/json"},
    )

    assert answer.status_code == 422, answer.text


async def test_a_nul_in_a_recipient_is_a_422(client: Any) -> None:
    answer = await client.get("/v1/recipients/staff:gm%00/deliveries", headers=OPS)

    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["path", "recipient_id"]


async def test_a_nul_in_a_staff_id_is_a_422(client: Any) -> None:
    admin = bearer("admin1", "admin", "510302")
    answer = await client.get("/v1/preferences/gm%00", headers=admin)

    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["path", "staff_id"]
