"""Text PostgreSQL cannot store (a NUL, a lone surrogate) is a 422 naming the field,
never a 500: what schemathesis found on escalation (issue 16)."""

import json
from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

ADMIN = bearer("admin1", "admin", "510302")
CENTRE = bearer("dc1", "district_center", "510302")
CASE = "01a20000-0000-7000-8000-000000000000"


def raw(value: Any) -> bytes:
    """JSON as a client may send it: a lone surrogate stays an escape (\\ud800)."""
    return json.dumps(value).encode()


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "field"),
    [
        (
            "PUT",
            "/v1/policies",
            [{"category_code": "\x00", "clock": "sign_for", "amount": 1, "unit": "days"}],
            ADMIN,
            "category_code",
        ),
        (
            "PUT",
            "/v1/policies",
            [{"category_code": "a\ud800", "clock": "sign_for", "amount": 1, "unit": "days"}],
            ADMIN,
            "category_code",
        ),
        (
            "PUT",
            "/v1/calendar/days",
            [{"day": "2026-12-01", "working": False, "name": "节\x00日"}],
            ADMIN,
            "name",
        ),
        (
            "PUT",
            "/v1/calendar/days",
            [{"day": "2026-12-01", "working": False, "name": "\udc00" * 101}],
            ADMIN,
            "name",
        ),
        ("POST", "/v1/supervisions", {"case_id": CASE, "reason": "催办\x00"}, CENTRE, "reason"),
    ],
)
async def test_unstorable_text_in_a_body_is_a_422(
    client: Any, method: str, path: str, body: Any, headers: dict[str, str], field: str
) -> None:
    answer = await client.request(
        method, path, content=raw(body), headers={**headers, "Content-Type": "application/json"}
    )

    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"][-1] == field


@pytest.mark.parametrize(
    ("path", "params", "headers"),
    [
        ("/v1/calendar/preview", {"clock": "resolution", "category_code": "a\x00"}, ADMIN),
        ("/v1/overdue", {"department_code": "\x00"}, ADMIN),
        ("/v1/supervisions", {"department_code": "cg\x00"}, ADMIN),
    ],
)
async def test_a_nul_in_a_query_parameter_is_a_422(
    client: Any, path: str, params: dict[str, str], headers: dict[str, str]
) -> None:
    answer = await client.get(path, params=params, headers=headers)

    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"][0] == "query"
