"""An Open311 client's request through the four services: its public status shows the
grid handling it, the deadline escalation set, and the grid member's progress."""

from typing import Any

import httpx
import pytest

from gridcase_events.kit.settings import DEV_OPEN311_API_KEY
from gridcase_events.testing import bearer, eventually

pytestmark = pytest.mark.e2e


async def test_open311_request_shows_agency_deadline_and_progress(
    platform: Any, show_logs_on_failure: Any
) -> None:
    intake = platform.urls["intake"]
    async with httpx.AsyncClient() as client:

        async def services() -> list[dict[str, Any]] | None:
            listed: list[dict[str, Any]] = (
                await client.get(f"{intake}/open311/v2/services.json")
            ).json()
            return listed if len(listed) == 8 else None  # deploy/demo/categories.csv

        listed = await eventually(services, timeout=60)
        assert "environment/garbage-overflow" in {s["service_code"] for s in listed}

        response = await client.post(
            f"{intake}/open311/v2/requests.json",
            data={
                "api_key": DEV_OPEN311_API_KEY,
                "service_code": "environment/garbage-overflow",
                "lat": "29.355",
                "long": "104.7725",
                "description": "桂花路1号1栋楼下垃圾桶满溢",
            },
        )
        assert response.status_code == 201, response.text
        tracking_no = response.json()[0]["service_request_id"]
        url = f"{intake}/open311/v2/requests/{tracking_no}.json"

        async def assigned() -> dict[str, Any] | None:
            request: dict[str, Any] = (await client.get(url)).json()[0]
            ready = request["agency_responsible"] and request["expected_datetime"]
            return request if ready else None

        request = await eventually(assigned, timeout=60)
        assert request["agency_responsible"] == "桂花社区一网格"
        assert request["status"] == "open"

        async with httpx.AsyncClient() as staff:
            cases = await staff.get(
                f"{platform.urls['dispatch']}/v1/tasks",
                headers=bearer("gm111a", "grid_member", "510302001001001"),
            )
        case_id = next(c["id"] for c in cases.json() if c["tracking_no"] == tracking_no)
        accepted = await client.post(
            f"{platform.urls['dispatch']}/v1/cases/{case_id}/accept",
            headers=bearer("gm111a", "grid_member", "510302001001001"),
        )
        assert accepted.status_code == 200, accepted.text

        async def in_hand() -> dict[str, Any] | None:
            request: dict[str, Any] = (await client.get(url)).json()[0]
            return (
                request if request["status_notes"] == "Being handled by 桂花社区一网格." else None
            )

        await eventually(in_hand, timeout=30)
