"""The facts projection tolerates events of different topics arriving out of order."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from gridcase_events import envelope, payloads, topics
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-23T09:00:00+08:00")  # Monday
GRID_A, GRID_B = "510302001001001", "510302001002001"
OPS = bearer("ops1", "ops", "510302")


def ref(case_id: Any, version: int) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "tracking_no": "GC-ORDER-1",
        "category_code": "environment/garbage-overflow",
        "priority": "normal",
        "channel": "hotline",
        "case_version": version,
    }


async def rows(client: Any, level: str, day: str) -> dict[str | None, int]:
    response = await client.get(
        "/v1/reports/rates", params={"level": level, "from": day, "to": day}, headers=OPS
    )
    return {r["unit_code"]: r["received"] for r in response.json()["rows"]}


async def test_a_late_report_moves_the_case_to_the_day_it_was_received(
    client: Any, publish: Any, processed: Any
) -> None:
    case_id = envelope.new_id()
    assigned = await publish(
        payloads.CaseAssigned(
            **ref(case_id, 2),
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
    before = await rows(client, "grid", "2026-11-23")  # received "at" the assignment, so far

    reported = await publish(
        payloads.CaseReported(
            case_id=case_id,
            tracking_no="GC-ORDER-1",
            channel="hotline",
            reported_at=T0 - timedelta(hours=9, minutes=30),  # Sunday 23:30 local
            content="噪音",
            priority="normal",
        ),
        source="intake",
    )
    await processed([reported.id])

    assert before == {GRID_A: 1}
    assert await rows(client, "grid", "2026-11-23") == {}
    assert await rows(client, "grid", "2026-11-22") == {GRID_A: 1}


async def test_an_older_event_does_not_move_the_case_back(
    client: Any, publish: Any, processed: Any
) -> None:
    case_id = envelope.new_id()
    newer = await publish(
        payloads.CaseAssigned(
            **ref(case_id, 3),
            assignee_id="gm2",
            assignee_role="grid_member",
            post="A",
            reason="A post",
            grid_code=GRID_B,
            summary="噪音",
            assigned_at=T0,
        )
    )
    older = await publish(
        payloads.CaseRouted(
            **ref(case_id, 2),
            target="grid",
            method="gazetteer",
            grid_code=GRID_A,
            reason="gazetteer",
        )
    )
    await processed([newer.id, older.id])

    assert await rows(client, "grid", "2026-11-23") == {GRID_B: 1}
    assert await rows(client, "street", "2026-11-23") == {"510302001": 1}


async def test_units_are_named_and_chained_from_the_directory(
    client: Any, publish: Any, processed: Any
) -> None:
    """A grid whose code does not chain its community's (a renumbered grid) still
    counts in its community and street as the directory says."""
    renumbered = "510302002009001"  # its parent is community 510302001002
    sent = [
        await publish(
            payloads.AreaUpserted(code=code, name=name, level=level, parent_code=parent),  # type: ignore[arg-type]
            source="dispatch",
            topic=topics.DIRECTORY,
            subject=f"area:{code}",
        )
        for code, name, level, parent in [
            ("510302001", "东城街道", "street", "510302"),
            ("510302001002", "桂花社区", "community", "510302001"),
            (renumbered, "桂花社区第一网格", "grid", "510302001002"),
        ]
    ]
    await processed([e.id for e in sent])  # the directory first (another consumer group)
    case_id = envelope.new_id()
    assigned = await publish(
        payloads.CaseAssigned(
            **ref(case_id, 2),
            assignee_id="gm1",
            assignee_role="grid_member",
            post="A",
            reason="A post",
            grid_code=renumbered,
            summary="噪音",
            assigned_at=T0,
        )
    )
    await processed([assigned.id])

    response = await client.get(
        "/v1/reports/rates",
        params={"level": "community", "from": "2026-11-23", "to": "2026-11-23"},
        headers=OPS,
    )
    street = await client.get(
        "/v1/reports/rates",
        params={"level": "street", "from": "2026-11-23", "to": "2026-11-23"},
        headers=OPS,
    )

    [row] = response.json()["rows"]
    assert (row["unit_code"], row["unit_name"]) == ("510302001002", "桂花社区")
    [row] = street.json()["rows"]
    assert (row["unit_code"], row["unit_name"]) == ("510302001", "东城街道")
