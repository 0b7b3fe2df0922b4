"""The running deadline the search reads is a copy on the case's own row: it follows the
deadlines projection whatever writes it, in the projection's transaction, and the
migration that added it fills it in for the cases already there."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from dispatch.db import schema
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

NOW = datetime.fromisoformat("2026-11-21T01:00:00+00:00")
DISPATCHER = bearer("dp1", "dispatcher", "510302")
BEFORE = "5c1e2a9d7b40"  # the revision before the deadline came onto the case's row


async def _row(client: Any, tracking_no: str) -> dict[str, Any]:
    response = await client.get(
        "/v1/cases", params={"tracking_no": tracking_no}, headers=DISPATCHER
    )
    assert response.status_code == 200, response.text
    (row,) = response.json()["items"]
    return dict(row)


async def _write_deadline(engine: Any, sql: str, **params: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(sql), params)


UPSERT = (
    "INSERT INTO dispatch.case_deadlines"
    " (case_id, clock, started_at, due_at, warned_percent, breached)"
    " VALUES (:id, :clock, :started, :due, :warned, :breached)"
    " ON CONFLICT (case_id) DO UPDATE SET clock = excluded.clock, due_at = excluded.due_at,"
    " warned_percent = excluded.warned_percent, breached = excluded.breached"
)


async def test_the_row_follows_its_deadline_as_it_starts_warns_breaches_and_stops(
    client: Any, engine: Any, seed: Any
) -> None:
    (case_id,) = await seed({"tracking_no": "GC-ROW-1", "reported_at": NOW})
    due = NOW + timedelta(hours=2)
    common = {"id": case_id, "started": NOW, "due": due}

    before = await _row(client, "GC-ROW-1")
    await _write_deadline(engine, UPSERT, **common, clock="sign_for", warned=0, breached=False)
    started = await _row(client, "GC-ROW-1")
    await _write_deadline(engine, UPSERT, **common, clock="sign_for", warned=80, breached=False)
    warned = await _row(client, "GC-ROW-1")
    await _write_deadline(engine, UPSERT, **common, clock="sign_for", warned=80, breached=True)
    breached = await _row(client, "GC-ROW-1")
    await _write_deadline(
        engine, "DELETE FROM dispatch.case_deadlines WHERE case_id = :id", id=case_id
    )
    stopped = await _row(client, "GC-ROW-1")

    assert (before["due_at"], before["sla"]) == (None, None)
    assert datetime.fromisoformat(started["due_at"]) == due
    assert (started["due_clock"], started["sla"]) == ("sign_for", "green")
    assert warned["sla"] == "red"
    assert breached["sla"] == "breached"
    assert (stopped["due_at"], stopped["due_clock"], stopped["sla"]) == (None, None, None)


async def test_a_case_written_after_its_deadline_carries_it(
    client: Any, engine: Any, seed: Any
) -> None:
    case_id = uuid4()
    due = NOW + timedelta(days=3)
    await _write_deadline(
        engine, UPSERT, id=case_id, clock="resolution", started=NOW, due=due, warned=50,
        breached=False,
    )  # fmt: skip

    await seed({"id": case_id, "tracking_no": "GC-ROW-2", "reported_at": NOW})

    row = await _row(client, "GC-ROW-2")
    assert datetime.fromisoformat(row["due_at"]) == due
    assert (row["due_clock"], row["sla"]) == ("resolution", "yellow")
    sorted_by_due = await client.get(
        "/v1/cases", params={"sort": "due_at", "sla": "yellow"}, headers=DISPATCHER
    )
    assert [r["id"] for r in sorted_by_due.json()["items"]] == [str(case_id)]


def _migrate(conn: Connection, direction: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(schema.migrations))
    cfg.attributes["connection"] = conn
    getattr(command, direction)(cfg, revision)


async def test_the_migration_fills_in_the_deadlines_of_existing_cases(
    client: Any, engine: Any, seed: Any
) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_migrate, "downgrade", BEFORE)
    due = NOW + timedelta(hours=5)
    ids: dict[str, UUID] = {"with": uuid4(), "without": uuid4()}
    async with engine.begin() as conn:
        for name, case_id in ids.items():
            await conn.execute(
                text(
                    "INSERT INTO dispatch.cases (id, tracking_no, channel, status, priority,"
                    " content, target, grid_code, community_code, route_method, route_reason,"
                    " reported_at, correlation_id, updated_at, version, evidence, returns,"
                    " transfers, reopenings) VALUES (:id, :no, 'hotline', 'assigned', 'normal',"
                    " 'c', 'grid', '510302001001001', '510302001001', 's', 's', :now, 'c', :now,"
                    " 1, '[]', 0, 0, 0)"
                ),
                {"id": case_id, "no": f"GC-OLD-{name}", "now": NOW},
            )
        await conn.execute(
            text(UPSERT),
            {"id": ids["with"], "clock": "resolution", "started": NOW, "due": due,
             "warned": 0, "breached": True},
        )  # fmt: skip

    async with engine.begin() as conn:
        await conn.run_sync(_migrate, "upgrade", "head")

    with_deadline = await _row(client, "GC-OLD-with")
    without = await _row(client, "GC-OLD-without")
    assert datetime.fromisoformat(with_deadline["due_at"]) == due
    assert with_deadline["sla"] == "breached"
    assert with_deadline["grid_code"] == "510302001001001"
    assert (without["due_at"], without["sla"]) == (None, None)
    in_the_street = await client.get(
        "/v1/cases",
        params={"area_code": "510302001", "sla": "breached", "sort": "due_at"},
        headers=DISPATCHER,
    )
    assert [r["tracking_no"] for r in in_the_street.json()["items"]] == ["GC-OLD-with"]
