"""Clocks started in one statement (`clocks.start_all`): the newest of each kind read,
an open one restarted or kept, the new generations, their timers and announcements."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from escalation.clocks import service as clocks
from escalation.clocks.models import CaseClock
from escalation.deps import EscalationRuntime
from escalation.policies.service import NoPolicy
from gridcase_events import envelope

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-23T09:00:00+08:00")  # Monday


def facts(case_id: UUID, assignee: str) -> clocks.CaseFacts:
    return clocks.CaseFacts(
        case_id=case_id,
        tracking_no="GC-20261123-START1",
        priority="normal",
        category_code="environment/garbage-overflow",
        grid_code="510302001001001",
        department_code=None,
        assignee_id=assignee,
        correlation_id="corr-start",
        district_code="510302",
    )


async def start(
    runtime: EscalationRuntime, case_id: UUID, assignee: str, at: datetime, **kw: Any
) -> list[CaseClock | None]:
    async with runtime.sessionmaker() as session, session.begin():
        return await clocks.start_all(
            session=session,
            runtime=runtime,
            kinds=kw.pop("kinds", [("sign_for", True), ("resolution", False)]),
            facts=facts(case_id, assignee),
            at=at,
            now=at,
            **kw,
        )


async def rows(runtime: EscalationRuntime, sql: str, case_id: UUID) -> list[tuple[Any, ...]]:
    async with runtime.sessionmaker() as session:
        return [tuple(r) for r in await session.execute(text(sql), {"c": case_id})]


async def test_a_second_start_restarts_one_kind_and_keeps_the_other(client: Any) -> None:
    runtime: EscalationRuntime = client.app.state.runtime
    case_id = envelope.new_id()
    first = await start(runtime, case_id, "gm1", T0)
    later = T0 + timedelta(minutes=30)
    second = await start(runtime, case_id, "gm2", later)

    assert [(c.kind, c.generation) if c else None for c in first] == [
        ("sign_for", 1),
        ("resolution", 1),
    ]
    assert [(c.kind, c.generation, c.assignee_id) if c else None for c in second] == [
        ("sign_for", 2, "gm2"),
        None,
    ]
    assert await rows(
        runtime,
        "SELECT kind, generation, status, stop_reason, stopped_at FROM escalation.clocks"
        " WHERE case_id = :c ORDER BY kind, generation",
        case_id,
    ) == [
        ("resolution", 1, "running", None, None),
        ("sign_for", 1, "stopped", "restarted", later),
        ("sign_for", 2, "running", None, None),
    ]
    # The stopped clock's pending timers are gone; each running one has its own.
    timers = await rows(
        runtime,
        "SELECT c.kind, c.generation, count(*) FROM escalation.timers t"
        " JOIN escalation.clocks c ON c.id = t.clock_id WHERE t.case_id = :c"
        " AND t.status = 'pending' GROUP BY 1, 2 ORDER BY 1, 2",
        case_id,
    )
    assert [(kind, generation) for kind, generation, _ in timers] == [
        ("resolution", 1),
        ("sign_for", 2),
    ]
    announced = await rows(
        runtime,
        "SELECT payload->'data'->>'clock', (payload->'data'->>'generation')::int,"
        " payload->'data'->>'assignee_id' FROM escalation.outbox WHERE CAST(payload->'data'->>'case_id' AS uuid) = :c"
        " ORDER BY id",
        case_id,
    )
    assert announced == [
        ("sign_for", 1, "gm1"),
        ("resolution", 1, "gm1"),
        ("sign_for", 2, "gm2"),
    ]


async def test_a_kind_without_a_limit_is_refused_only_when_none_runs(client: Any) -> None:
    runtime: EscalationRuntime = client.app.state.runtime
    case_id = envelope.new_id()
    with pytest.raises(NoPolicy):
        await start(runtime, case_id, "gm1", T0, kinds=[("unlimited", False)])

    async with runtime.sessionmaker() as session, session.begin():
        session.add(
            CaseClock(
                case_id=case_id,
                tracking_no="GC-20261123-START1",
                kind="unlimited",
                generation=1,
                status="running",
                started_at=T0,
                due_at=T0 + timedelta(hours=1),
                limit_amount=1,
                limit_unit="hours",
                priority="normal",
                correlation_id="corr-start",
                updated_at=T0,
            )
        )
    assert await start(runtime, case_id, "gm1", T0, kinds=[("unlimited", False)]) == [None]
    with pytest.raises(NoPolicy):
        await start(runtime, case_id, "gm1", T0, kinds=[("unlimited", True)])
