"""Each role's queues with counts in its scope."""

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

GUIHUA_1 = "510302001001001"


async def _seed(fresh_database: str, *rows: dict[str, Any]) -> None:
    """Cases straight into the table (the queues only count them)."""
    engine = create_async_engine(fresh_database)
    try:
        async with engine.begin() as conn:
            for i, row in enumerate(rows):
                values = {
                    "grid_code": None,
                    "community_code": None,
                    "department_code": None,
                    "assignee_id": None,
                    "returns": 0,
                    "target": "grid",
                    "district_code": "510302",
                    **row,
                }
                await conn.execute(
                    text(
                        "INSERT INTO dispatch.cases (id, tracking_no, channel, status, priority,"
                        " content, target, grid_code, community_code, department_code, route_method,"
                        " route_reason, assignee_id, reported_at, correlation_id, updated_at,"
                        " version, evidence, returns, transfers, reopenings, district_code) VALUES"
                        " (gen_random_uuid(), :no, 'hotline', :status, 'normal', 'c', :target,"
                        " :grid_code, :community_code, :department_code, 'seed', 'seed',"
                        " :assignee_id, now(), 'c', now(), 1, '[]', :returns, 0, 0, :district_code)"
                    ),
                    {"no": f"GC-Q-{i}", **values},
                )
    finally:
        await engine.dispose()


async def _counts(client: Any, headers: dict[str, str]) -> dict[str, int]:
    response = await client.get("/v1/queues", headers=headers)
    assert response.status_code == 200, response.text
    return {q["key"]: q["count"] for q in response.json()["items"]}


async def test_every_role_sees_its_queues_counted_in_its_scope(
    client: Any, demo_city: Any, fresh_database: str
) -> None:
    await _seed(
        fresh_database,
        {"status": "triage", "target": "triage"},
        {"status": "triage", "target": "triage"},
        {"status": "triage", "target": "triage", "returns": 1},
        {"status": "routed", "target": "department", "department_code": "water"},
        {
            "status": "assigned",
            "target": "department",
            "department_code": "water",
            "assignee_id": "water1",
        },
        {"status": "assigned", "grid_code": GUIHUA_1, "assignee_id": "gm111a"},
        {"status": "resolved", "grid_code": GUIHUA_1, "assignee_id": "gm111a"},
        {"status": "accepted", "grid_code": "510302002001001", "assignee_id": "gm211a"},
    )

    dispatcher = await _counts(client, bearer("dp1", "dispatcher", "510302"))
    water = await _counts(client, bearer("water1", "department_operator", None, "water"))
    station = await _counts(client, bearer("sm11", "station_master", "510302001001"))
    member = await _counts(client, bearer("gm111a", "grid_member", GUIHUA_1))
    leader = await _counts(client, bearer("gl111", "grid_leader", GUIHUA_1))

    assert dispatcher == {
        "triage": 2,
        "returned": 1,
        "unassigned": 1,
        "overdue": 0,
        "awaiting_close": 1,
    }
    assert water == {"unclaimed": 1, "mine": 1, "overdue": 0}
    assert station == {"open": 1, "overdue": 0, "awaiting_close": 1}
    assert member == {"mine": 1}
    assert leader == {"open": 1, "overdue": 0, "awaiting_close": 1, "mine": 0}


async def test_a_queue_s_filter_lists_what_it_counts(
    client: Any, demo_city: Any, fresh_database: str
) -> None:
    await _seed(fresh_database, {"status": "triage", "target": "triage"})
    headers = bearer("dp1", "dispatcher", "510302")
    [triage] = [
        q
        for q in (await client.get("/v1/queues", headers=headers)).json()["items"]
        if q["key"] == "triage"
    ]

    listed = (await client.get("/v1/cases", params=triage["filter"], headers=headers)).json()

    assert triage["name"] == "待派"
    assert listed["total"] == triage["count"] == 1
