"""A hotline case through the running services shows in escalation's reports and
service-quality metrics."""

import json
import secrets
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gridcase_events.kit import signing
from gridcase_events.testing import bearer, eventually

pytestmark = pytest.mark.e2e

HOTLINE_SECRET = "e2e-hotline-secret"
GRID = "510302001001001"  # 桂花社区一网格 in deploy/demo
MEMBER = bearer("gm111a", "grid_member", GRID)
OPS = bearer("ops1", "ops", "510302")


async def test_a_signed_ticket_accepted_at_once_counts_in_the_rates_and_metrics(
    platform: Any, show_logs_on_failure: Any
) -> None:
    body = json.dumps(
        {
            "ticket_no": f"E2E-{secrets.token_hex(4)}",
            "received_at": datetime.now(UTC).isoformat(),
            "content": "桂花路1号1栋楼下垃圾桶满溢",
            "category_hint": "environment/garbage-overflow",
            "lat": 29.355,
            "lon": 104.7725,
        },
        ensure_ascii=False,
    ).encode()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    async with httpx.AsyncClient() as client:
        pushed = await client.post(
            f"{platform.urls['intake']}/v1/hotline/tickets",
            content=body,
            headers={
                "Content-Type": "application/json",
                signing.HEADER: signing.sign(HOTLINE_SECRET, body, now=datetime.now(UTC)),
            },
        )
        assert pushed.status_code == 201
        case_id = pushed.json()["case_id"]

        async def accepted() -> bool:
            url = f"{platform.urls['dispatch']}/v1/cases/{case_id}/accept"
            return (await client.post(url, headers=MEMBER)).status_code == 200

        await eventually(accepted, timeout=60)

        async def row() -> dict[str, Any] | None:
            response = await client.get(
                f"{platform.urls['escalation']}/v1/reports/rates",
                params={"level": "grid", "from": today, "to": today},
                headers=OPS,
            )
            rows = response.json()["rows"]
            return rows[0] if rows and rows[0]["accepted_in_time"] == 1 else None

        found = await eventually(row, timeout=60)

        async def metrics() -> dict[str, float] | None:
            text = (await client.get(f"{platform.urls['escalation']}/metrics")).text
            samples = {
                (s.name, tuple(sorted(s.labels.items()))): s.value
                for f in text_string_to_metric_families(text)
                for s in f.samples
            }
            seen = {
                "accepted": samples.get(
                    ("gridcase_case_time_to_accept_seconds_count", (("priority", "normal"),)), 0
                ),
                "open": samples.get(
                    (
                        "gridcase_cases_open",
                        (("department", "none"), ("street", "510302001")),
                    ),
                    0,
                ),
            }
            return seen if seen == {"accepted": 1, "open": 1} else None

        assert await eventually(metrics, timeout=30)

    assert (found["unit_code"], found["unit_name"]) == (GRID, "桂花社区一网格")
    assert (found["received"], found["sign_for_clocked"], found["response_rate"]) == (1, 1, 1.0)
    assert (found["resolved"], found["resolution_rate"]) == (0, 0.0)
    assert (found["on_time_closure_rate"], found["satisfaction_rate"]) == (None, None)
