"""The rates export is safe to open in a spreadsheet (issue 16, finding 8)."""

import csv
import io
from datetime import datetime
from typing import Any

import pytest

from gridcase_events import envelope, payloads, topics
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-23T09:00:00+08:00")  # Monday
GRID_A = "510302001001001"  # street 510302001
OPS = bearer("ops1", "ops", "510302")


def ref(case_id: Any) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "tracking_no": "GC-20261123-0001",
        "category_code": "environment/garbage-overflow",
        "priority": "normal",
        "channel": "hotline",
        "case_version": 2,
    }


@pytest.mark.parametrize(
    "hostile",
    ['=HYPERLINK("http://evil.invalid","点击")', "+1+1", "-2+3", "@SUM(A1)", "\tA", "\rA"],
)
async def test_a_unit_name_like_a_formula_is_text_in_the_csv_export(
    client: Any, publish: Any, processed: Any, hostile: str
) -> None:
    """Unit names come from imported files: one starting like a spreadsheet formula is
    neutralised with a leading ``'`` (issue 16, finding 8); JSON keeps the name as is."""
    area = await publish(
        payloads.AreaUpserted(code="510302001", name=hostile, level="street", parent_code="510302"),
        source="dispatch",
        topic=topics.DIRECTORY,
        subject="area:510302001",
    )
    await processed([area.id])
    assigned = await publish(
        payloads.CaseAssigned(
            **ref(envelope.new_id()),
            assignee_id="gm1",
            assignee_role="grid_member",
            post="A",
            reason="A post",
            grid_code=GRID_A,
            summary="噪音",
            assigned_at=T0,
        )
    )
    await processed([assigned.id])
    params = {"level": "street", "from": "2026-11-23", "to": "2026-11-23"}

    exported = await client.get(
        "/v1/reports/rates", params={**params, "format": "csv"}, headers=OPS
    )
    as_json = await client.get("/v1/reports/rates", params=params, headers=OPS)

    rows = list(csv.DictReader(io.StringIO(exported.text, newline="")))
    assert [(r["unit_code"], r["unit_name"]) for r in rows] == [("510302001", "'" + hostile)]
    assert as_json.json()["rows"][0]["unit_name"] == hostile
