"""A run of events in one transaction (as the consumer runner applies a poll: one
session, a flush after each event, the loaded objects forgotten between them) leaves
the same clocks, timers, facts and announcements as the same events each in a
transaction of its own. The run holds the case's facts row once and writes it at the
commit; an assignment starts both of its clocks in one statement."""

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import event as orm_events
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from escalation import consumers
from escalation.deps import EscalationRuntime
from gridcase_events import envelope, payloads, registry

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-23T09:00:00+08:00")  # Monday
GRID = "510302001001001"

Event = tuple[str, Any]  # (consumer group, payload)


def ref(case_id: UUID, version: int) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "tracking_no": "GC-20261123-RUN001",
        "category_code": "environment/garbage-overflow",
        "priority": "normal",
        "channel": "hotline",
        "case_version": version,
    }


def reported(case_id: UUID) -> Event:
    return (
        "projection",
        payloads.CaseReported(
            case_id=case_id,
            tracking_no="GC-20261123-RUN001",
            channel="hotline",
            reported_at=T0 - timedelta(minutes=5),
            content="垃圾满溢",
            priority="normal",
        ),
    )


def routed(case_id: UUID) -> Event:
    return (
        "dispatch",
        payloads.CaseRouted(
            **ref(case_id, 1),
            target="grid",
            method="point_in_polygon",
            grid_code=GRID,
            reason="网格",
        ),
    )


def assigned(case_id: UUID, who: str, at: datetime, version: int) -> Event:
    return (
        "dispatch",
        payloads.CaseAssigned(
            **ref(case_id, version),
            assignee_id=who,
            assignee_role="grid_member",
            post="A",
            reason="A post",
            grid_code=GRID,
            summary="垃圾满溢",
            assigned_at=at,
        ),
    )


def action(case_id: UUID, at: datetime, version: int, who: str) -> dict[str, Any]:
    return {
        **ref(case_id, version),
        "actor_id": who,
        "actor_role": "grid_member",
        "at": at,
        "grid_code": GRID,
        "assignee_id": who,
    }


def accepted(case_id: UUID, who: str, at: datetime, version: int) -> Event:
    return ("dispatch", payloads.CaseAccepted(**action(case_id, at, version, who)))


def reassigned(case_id: UUID, who: str, at: datetime, version: int) -> Event:
    """改派 within the grid: the leader names another member."""
    return (
        "dispatch",
        payloads.CaseDispatched(
            **{**action(case_id, at, version, who), "actor_id": "gl1", "actor_role": "grid_leader"},
            kind="reassign",
            target="grid",
            reason="改派",
            from_status="assigned",
            previous_assignee_id="gm1",
        ),
    )


async def apply(
    runtime: EscalationRuntime, events: Sequence[Event], *, together: bool
) -> list[UUID]:
    """Applies `events` (built for one case) as the consumer runner would: all in one
    transaction (`together`), or each in its own. Returns the events' ids."""
    groups = {
        "dispatch": consumers.dispatch.bind(runtime),
        "projection": consumers.projection.bind(runtime),
    }
    built = [
        (
            groups[group][registry.spec_of(type(payload)).type],
            envelope.build(
                payload,
                subject=str(payload.case_id),
                source="intake" if group == "projection" else "dispatch",
                tenant="510302",
                correlation_id=f"corr-{payload.case_id}",
                time=T0,
            ),
            payload,
        )
        for group, payload in events
    ]

    async def run(session: AsyncSession, part: Sequence[Any]) -> None:
        for handler, event, payload in part:
            await handler(session, event, payload)
            await session.flush()
            session.expunge_all()

    if together:
        async with runtime.sessionmaker() as session, session.begin():
            await run(session, built)
    else:
        for one in built:
            async with runtime.sessionmaker() as session, session.begin():
                await run(session, [one])
    return [event.id for _, event, _ in built]


async def state(runtime: EscalationRuntime, case_id: UUID) -> dict[str, Any]:
    """What escalation holds of the case, without its ids."""
    async with runtime.sessionmaker() as session:
        clocks = await session.execute(
            text(
                "SELECT kind, generation, status, started_at, due_at, stopped_at, stop_reason,"
                " assignee_id, grid_code, limit_amount, limit_unit, epoch, updated_at"
                " FROM escalation.clocks WHERE case_id = :c ORDER BY kind, generation"
            ),
            {"c": case_id},
        )
        timers = await session.execute(
            text(
                "SELECT c.kind, c.generation, t.kind, t.percent, t.level, t.epoch, t.due_at,"
                " t.status FROM escalation.timers t JOIN escalation.clocks c ON c.id = t.clock_id"
                " WHERE t.case_id = :c ORDER BY c.kind, c.generation, t.percent"
            ),
            {"c": case_id},
        )
        facts = await session.execute(
            text("SELECT * FROM escalation.case_facts WHERE case_id = :c"), {"c": case_id}
        )
        announced = await session.execute(
            text(
                "SELECT event_type, payload->'data' FROM escalation.outbox"
                " WHERE key = :k ORDER BY id"
            ),
            {"k": str(case_id)},
        )
        fact = dict(facts.mappings().one())
        del fact["case_id"]
        return {
            "clocks": [tuple(r) for r in clocks],
            "timers": [tuple(r) for r in timers],
            "facts": fact,
            "announced": [
                (kind, {k: v for k, v in data.items() if k != "case_id"})
                for kind, data in announced
            ],
        }


Scenario = Callable[[UUID], list[Event]]


def assigned_then_signed_for(case_id: UUID) -> list[Event]:
    return [
        reported(case_id),
        routed(case_id),
        assigned(case_id, "gm1", T0, 2),
        accepted(case_id, "gm1", T0 + timedelta(minutes=20), 3),
    ]


def reassigned_within_the_run(case_id: UUID) -> list[Event]:
    return [
        routed(case_id),
        assigned(case_id, "gm1", T0, 2),
        reassigned(case_id, "gm2", T0 + timedelta(minutes=10), 3),
        assigned(case_id, "gm2", T0 + timedelta(minutes=10), 4),
        accepted(case_id, "gm2", T0 + timedelta(minutes=30), 5),
    ]


def assigned_twice_in_a_row(case_id: UUID) -> list[Event]:
    """Two starts of one case with nothing between them: the second restarts the
    sign-for clock the first started, and keeps its resolution clock."""
    return [
        routed(case_id),
        assigned(case_id, "gm1", T0, 2),
        assigned(case_id, "gm2", T0 + timedelta(minutes=10), 3),
    ]


def escalated(case_id: UUID, level: int) -> Event:
    return (
        "projection",
        payloads.CaseEscalated(
            case_id=case_id,
            tracking_no="GC-20261123-RUN001",
            clock="sign_for",
            generation=1,
            started_at=T0,
            due_at=T0 + timedelta(hours=2),
            priority="normal",
            grid_code=GRID,
            fired_at=T0 + timedelta(hours=2, minutes=level),
            late_seconds=0.0,
            level=level,
            buck_passing=True,
            urge=0,
            target_role="grid_leader",
            target_staff_ids=["gl1"],
            reason="未签收",
        ),
    )


def escalated_then_reported(case_id: UUID) -> list[Event]:
    """The reports' group: a row the run holds already takes the report too."""
    return [escalated(case_id, 1), reported(case_id), escalated(case_id, 2)]


@pytest.mark.parametrize(
    "scenario",
    [
        assigned_then_signed_for,
        reassigned_within_the_run,
        assigned_twice_in_a_row,
        escalated_then_reported,
    ],
)
async def test_a_run_leaves_what_the_events_one_by_one_leave(
    client: Any, scenario: Scenario
) -> None:
    runtime: EscalationRuntime = client.app.state.runtime
    alone, together = envelope.new_id(), envelope.new_id()
    await apply(runtime, scenario(alone), together=False)
    await apply(runtime, scenario(together), together=True)

    assert await state(runtime, together) == await state(runtime, alone)


async def test_a_report_in_a_run_that_holds_the_row(client: Any) -> None:
    runtime: EscalationRuntime = client.app.state.runtime
    case_id = envelope.new_id()
    await apply(runtime, escalated_then_reported(case_id), together=True)

    facts = (await state(runtime, case_id))["facts"]
    assert (facts["reported"], facts["channel"], facts["received_at"]) == (
        True,
        "hotline",
        T0 - timedelta(minutes=5),
    )
    assert (facts["escalations"], facts["buck_passing_flags"], facts["priority"]) == (
        2,
        1,
        "normal",
    )


async def test_an_assignment_signed_for_in_the_same_run(client: Any) -> None:
    runtime: EscalationRuntime = client.app.state.runtime
    case_id = envelope.new_id()
    await apply(runtime, assigned_then_signed_for(case_id), together=True)
    held = await state(runtime, case_id)

    clocks = {(c[0], c[1]): c for c in held["clocks"]}
    assert clocks[("sign_for", 1)][2:7] == (
        "stopped",
        T0,
        T0 + timedelta(hours=2),
        T0 + timedelta(minutes=20),
        "accepted",
    )
    assert clocks[("resolution", 1)][2] == "running"
    assert [(c[0], c[1]) for c in held["clocks"]] == [
        ("first_contact", 1),
        ("resolution", 1),
        ("sign_for", 1),
    ]
    # the facts row carries every event of the run: the report, the place, the
    # assignment and the acceptance judged against the sign-for clock still running
    facts = held["facts"]
    assert (facts["reported"], facts["channel"], facts["grid_code"]) == (True, "hotline", GRID)
    assert (facts["assignee_id"], facts["sign_for_clocked"]) == ("gm1", True)
    assert facts["first_assigned_at"] == T0
    assert facts["first_accepted_at"] == T0 + timedelta(minutes=20)
    assert (facts["sign_for_due_at"], facts["accepted_in_time"]) == (
        T0 + timedelta(hours=2),
        True,
    )
    assert facts["state_version"] == 3
    # the sign-for clock's pending timers went with its stop; the others wait
    assert {(t[0], t[3]) for t in held["timers"]} == {
        ("resolution", 50),
        ("resolution", 80),
        ("resolution", 100),
        ("first_contact", 50),
        ("first_contact", 80),
        ("first_contact", 100),
    }
    assert [(a[0], a[1]["clock"], a[1]["generation"]) for a in held["announced"]] == [
        ("sla.clock_started", "sign_for", 1),
        ("sla.clock_started", "resolution", 1),
        ("sla.clock_started", "first_contact", 1),
    ]


async def test_a_reassignment_within_a_run(client: Any) -> None:
    runtime: EscalationRuntime = client.app.state.runtime
    case_id = envelope.new_id()
    await apply(runtime, reassigned_within_the_run(case_id), together=True)
    held = await state(runtime, case_id)

    clocks = {(c[0], c[1]): c for c in held["clocks"]}
    assert (clocks[("sign_for", 1)][2], clocks[("sign_for", 1)][6]) == ("stopped", "restarted")
    assert (clocks[("sign_for", 2)][2], clocks[("sign_for", 2)][6]) == ("stopped", "accepted")
    assert clocks[("sign_for", 2)][7] == "gm2"
    # one resolution clock for the case, now the new assignee's, its deadline kept
    assert [k for k in clocks if k[0] == "resolution"] == [("resolution", 1)]
    assert (clocks[("resolution", 1)][2], clocks[("resolution", 1)][7]) == ("running", "gm2")
    assert clocks[("resolution", 1)][3] == T0
    facts = held["facts"]
    assert (facts["assignee_id"], facts["state_version"]) == ("gm2", 5)
    assert facts["first_assigned_at"] == T0
    assert facts["first_accepted_at"] == T0 + timedelta(minutes=30)
    assert [
        (a[1]["clock"], a[1]["generation"], a[1]["assignee_id"]) for a in held["announced"]
    ] == [
        ("sign_for", 1, "gm1"),
        ("resolution", 1, "gm1"),
        ("sign_for", 2, "gm2"),
        ("first_contact", 1, "gm2"),
    ]


async def test_a_run_that_fails_leaves_nothing_of_its_facts(client: Any) -> None:
    """The facts written at the commit go with the run when it is rolled back, and a
    later transaction locks the row afresh."""
    runtime: EscalationRuntime = client.app.state.runtime
    case_id = envelope.new_id()
    handle = consumers.dispatch.bind(runtime)["case.routed"]
    _, payload = routed(case_id)
    event = envelope.build(
        payload,
        subject=str(case_id),
        source="dispatch",
        tenant="510302",
        correlation_id="c",
        time=T0,
    )

    async def failing_run() -> None:
        async with runtime.sessionmaker() as session, session.begin():
            await handle(session, event, payload)
            await session.flush()
            raise RuntimeError("the run fails")

    with pytest.raises(RuntimeError):
        await failing_run()
    await apply(runtime, [assigned(case_id, "gm1", T0, 2)], together=True)

    facts = (await state(runtime, case_id))["facts"]
    assert (facts["assignee_id"], facts["state_version"], facts["first_assigned_at"]) == (
        "gm1",
        2,
        T0,
    )


def reported_then_escalated(case_id: UUID) -> list[Event]:
    """The reports' group: a report kept for the commit is written before the row is
    locked for a later event of the run."""
    return [reported(case_id), escalated(case_id, 1)]


async def test_a_report_kept_for_the_commit_goes_before_a_lock(client: Any) -> None:
    runtime: EscalationRuntime = client.app.state.runtime
    alone, together = envelope.new_id(), envelope.new_id()
    await apply(runtime, reported_then_escalated(alone), together=False)
    await apply(runtime, reported_then_escalated(together), together=True)

    held = await state(runtime, together)
    assert held == await state(runtime, alone)
    assert (held["facts"]["reported"], held["facts"]["escalations"]) == (True, 1)


async def test_a_run_of_reports_locks_no_row_before_its_commit(client: Any) -> None:
    """The reports' group writes its run's reports at the commit, in one order: a run
    of the clocks' group that locks the same cases' rows meanwhile, in another order,
    does not wait for it (two such runs used to deadlock), and both runs' facts stand."""
    runtime: EscalationRuntime = client.app.state.runtime
    first, second = sorted([envelope.new_id(), envelope.new_id()])
    projection = consumers.projection.bind(runtime)
    dispatch = consumers.dispatch.bind(runtime)

    def built(payload: Any, source: str) -> envelope.Envelope:
        return envelope.build(
            payload,
            subject=str(payload.case_id),
            source=source,
            tenant="510302",
            correlation_id="c",
            time=T0,
        )

    async with runtime.sessionmaker() as reports_run, reports_run.begin():
        for case_id in (second, first):
            _, report = reported(case_id)
            await projection["case.reported"](reports_run, built(report, "intake"), report)
            await reports_run.flush()

        async def clocks_run() -> None:
            async with runtime.sessionmaker() as session, session.begin():
                for case_id in (first, second):
                    _, route = routed(case_id)
                    await dispatch["case.routed"](session, built(route, "dispatch"), route)
                    await session.flush()

        await asyncio.wait_for(clocks_run(), timeout=10)

    for case_id in (first, second):
        facts = (await state(runtime, case_id))["facts"]
        assert (facts["reported"], facts["channel"], facts["grid_code"]) == (
            True,
            "hotline",
            GRID,
        )


async def test_a_run_of_the_clocks_locks_no_row_before_its_commit(client: Any) -> None:
    """The clocks' group changes its run's facts rows at the commit too, all locked then
    in the order of their case ids: a run of reports that commits while a clocks' run
    has routed the same cases in the other order does not wait for it (the clocks' run
    used to hold the second row while the reports' commit, holding the first, waited for
    it: a deadlock once the clocks' run asked for the first), and both runs' facts stand."""
    runtime: EscalationRuntime = client.app.state.runtime
    first, second = sorted([envelope.new_id(), envelope.new_id()])
    projection = consumers.projection.bind(runtime)
    dispatch = consumers.dispatch.bind(runtime)

    def built(payload: Any, source: str) -> envelope.Envelope:
        return envelope.build(
            payload,
            subject=str(payload.case_id),
            source=source,
            tenant="510302",
            correlation_id="c",
            time=T0,
        )

    async def route(session: AsyncSession, case_id: UUID) -> None:
        _, event = routed(case_id)
        await dispatch["case.routed"](session, built(event, "dispatch"), event)
        await session.flush()
        session.expunge_all()

    async def reports_run() -> None:
        async with runtime.sessionmaker() as session, session.begin():
            for case_id in (first, second):
                _, report = reported(case_id)
                await projection["case.reported"](session, built(report, "intake"), report)
                await session.flush()

    async with runtime.sessionmaker() as clocks_run, clocks_run.begin():
        await route(clocks_run, second)
        await asyncio.wait_for(reports_run(), timeout=10)
        await route(clocks_run, first)

    for case_id in (first, second):
        facts = (await state(runtime, case_id))["facts"]
        assert (facts["reported"], facts["channel"], facts["grid_code"]) == (
            True,
            "hotline",
            GRID,
        )


async def test_a_run_of_assignments_starts_their_clocks_in_one_statement(client: Any) -> None:
    """The clocks of a run's assignments are started together, in one statement at its
    commit, and each case ends as it does with its events one transaction each."""
    runtime: EscalationRuntime = client.app.state.runtime
    alone = envelope.new_id()
    await apply(runtime, [routed(alone), assigned(alone, "gm1", T0, 2)], together=False)
    together = [envelope.new_id() for _ in range(3)]
    starts: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("WITH wanted"):
            starts.append(statement)

    engine = runtime.engine.sync_engine
    orm_events.listen(engine, "before_cursor_execute", seen)
    try:
        await apply(
            runtime,
            [e for case_id in together for e in (routed(case_id), assigned(case_id, "gm1", T0, 2))],
            together=True,
        )
    finally:
        orm_events.remove(engine, "before_cursor_execute", seen)

    assert len(starts) == 1
    expected = await state(runtime, alone)
    for case_id in together:
        assert await state(runtime, case_id) == expected
