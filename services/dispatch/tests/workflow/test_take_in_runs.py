"""Cases taken in by one consumer run (one transaction, as the kit's runner applies a
poll: one session, a flush and the loaded objects forgotten between handlers) are written
at its commit in one statement: the cases, their timelines and their events, each in the
order they were taken in; a repeat writes nothing; a rollback writes none of it; and a
run that fails at one event still stores every other event's case whole. Against the
real service and database."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event as sa_event
from sqlalchemy import text

from dispatch.deps import DispatchRuntime
from dispatch.workflow import service
from gridcase_events import envelope, payloads, topics
from gridcase_events.testing import read_topic

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
GUIHUA_1 = {"lat": 29.355, "lon": 104.7725}  # 桂花社区一网格: A post gm111a
OUTSIDE = {"lat": 30.0, "lon": 105.5}  # no grid: triage


def reported(case_id: UUID | None = None, **fields: Any) -> envelope.Envelope:
    case_id = case_id or envelope.new_id()
    data: dict[str, Any] = {
        "case_id": case_id,
        "tracking_no": "GC-20261121-RUN001",
        "channel": "hotline",
        "reported_at": NOW,
        "content": "垃圾满溢",
        "priority": "normal",
        "category_hint": "environment/garbage-overflow",
        "location": GUIHUA_1,
        **fields,
    }
    return envelope.build(
        payloads.CaseReported(**data),
        subject=str(case_id),
        source="intake",
        tenant="510302",
        correlation_id=f"corr-{case_id}",
        time=NOW,
    )


@pytest.fixture
def runtime(demo_city: Any) -> DispatchRuntime:
    r: DispatchRuntime = demo_city.app.state.runtime
    return r


@pytest.fixture
def writes(runtime: DispatchRuntime) -> Iterator[list[str]]:
    """The statements that write cases, timelines or outbox rows while the test runs."""
    sent: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        words = " ".join(statement.split())
        if words.startswith(("INSERT", "WITH new")) and any(
            t in words for t in ("dispatch.cases", "case_timeline", "outbox")
        ):
            sent.append(words)

    sa_event.listen(runtime.engine.sync_engine, "before_cursor_execute", seen)
    yield sent
    sa_event.remove(runtime.engine.sync_engine, "before_cursor_execute", seen)


class Failed(Exception):
    """A run's failure after its events were handled (rolls the transaction back)."""


async def take_in(runtime: DispatchRuntime, *events: envelope.Envelope, fail: bool = False) -> None:
    """One transaction over the events, as the runner applies a run of them; `fail`:
    raises at its end, before the commit."""
    async with runtime.sessionmaker() as session, session.begin():
        for e in events:
            p = e.payload()
            assert isinstance(p, payloads.CaseReported)
            await service.take_in(session=session, runtime=runtime, event=e, reported=p)
            await session.flush()
            session.expunge_all()
        if fail:
            raise Failed


async def stored(runtime: DispatchRuntime, case_ids: list[UUID]) -> dict[str, list[Any]]:
    """The cases, timeline entries and outbox rows of `case_ids`, each by id."""
    keys = [str(c) for c in case_ids]
    async with runtime.sessionmaker() as session:
        cases = await session.execute(
            text(
                "SELECT id, status, assignee_id, version FROM dispatch.cases"
                " WHERE id = ANY(:ids) ORDER BY id"
            ),
            {"ids": case_ids},
        )
        timeline = await session.execute(
            text(
                "SELECT case_id, action FROM dispatch.case_timeline"
                " WHERE case_id = ANY(:ids) ORDER BY id"
            ),
            {"ids": case_ids},
        )
        events = await session.execute(
            text(
                "SELECT key, event_type, payload->'data'->>'case_version' AS version"
                " FROM dispatch.outbox WHERE key = ANY(:keys) ORDER BY id"
            ),
            {"keys": keys},
        )
        return {
            "cases": [tuple(r) for r in cases],
            "timeline": [(r.case_id, r.action) for r in timeline],
            "events": [(UUID(r.key), r.event_type, r.version) for r in events],
        }


async def test_a_runs_cases_timelines_and_events_are_written_in_one_statement_in_order(
    runtime: DispatchRuntime, writes: list[str]
) -> None:
    first, second, third = (reported(location=spot) for spot in (GUIHUA_1, OUTSIDE, GUIHUA_1))
    ids = [UUID(e.subject) for e in (first, second, third)]

    await take_in(runtime, first, second, third)

    assert len(writes) == 1, writes  # before: three statements a case
    found = await stored(runtime, ids)
    assert sorted(found["cases"]) == sorted(
        [
            (ids[0], "assigned", "gm111a", 2),
            (ids[1], "triage", None, 1),
            (ids[2], "assigned", "gm111a", 2),
        ]
    )
    assert found["timeline"] == [
        (ids[0], "reported"),
        (ids[0], "routed"),
        (ids[0], "assigned"),
        (ids[1], "reported"),
        (ids[1], "routed"),
        (ids[2], "reported"),
        (ids[2], "routed"),
        (ids[2], "assigned"),
    ]
    # the relay publishes by id: each case's routed before its assigned, cases in turn
    assert found["events"] == [
        (ids[0], "case.routed", "1"),
        (ids[0], "case.assigned", "2"),
        (ids[1], "case.routed", "1"),
        (ids[2], "case.routed", "1"),
        (ids[2], "case.assigned", "2"),
    ]


async def test_a_case_taken_in_again_in_the_run_or_after_it_writes_nothing(
    runtime: DispatchRuntime,
) -> None:
    one = reported()
    case_id = UUID(one.subject)
    again = reported(case_id, content="垃圾满溢（再报）", location=OUTSIDE)

    await take_in(runtime, one, again)  # within the run
    await take_in(runtime, reported(case_id), reported())  # a later run: stored before

    found = await stored(runtime, [case_id])
    assert found["cases"] == [(case_id, "assigned", "gm111a", 2)]
    assert [action for _, action in found["timeline"]] == ["reported", "routed", "assigned"]
    assert [t for _, t, _ in found["events"]] == ["case.routed", "case.assigned"]


async def test_a_run_that_rolls_back_writes_nothing_and_the_next_starts_anew(
    runtime: DispatchRuntime,
) -> None:
    one, two = reported(), reported()
    ids = [UUID(one.subject), UUID(two.subject)]

    with pytest.raises(Failed):
        await take_in(runtime, one, two, fail=True)

    assert await stored(runtime, ids) == {"cases": [], "timeline": [], "events": []}

    await take_in(runtime, two)
    found = await stored(runtime, ids)
    assert [c[0] for c in found["cases"]] == [ids[1]]
    assert len(found["timeline"]) == 3
    assert len(found["events"]) == 2


async def test_department_cases_of_one_run_count_the_runs_earlier_cases(
    runtime: DispatchRuntime,
) -> None:
    first = reported(category_hint="utility/water-outage")
    second = reported(category_hint="停水")

    await take_in(runtime, first, second)

    found = await stored(runtime, [UUID(first.subject), UUID(second.subject)])
    assert {assignee for _, _, assignee, _ in found["cases"]} == {"water1", "water2"}


async def test_a_run_failing_at_one_case_stores_every_other_case_whole(
    runtime: DispatchRuntime, report: Any, settled: Any, kafka_bootstrap: str, namespace: str
) -> None:
    # A NUL character cannot be stored in PostgreSQL text: that case's write fails at
    # the commit, the runner applies the run's events again on their own, and that one
    # alone ends in the dead-letter topic.
    good = [await report(location=GUIHUA_1)]
    bad = await report(location=GUIHUA_1, content="垃圾\x00满溢")
    good.append(await report(location=GUIHUA_1))

    for case_id in good:
        case = await settled(case_id)
        assert [t["action"] for t in case["timeline"]] == ["reported", "routed", "assigned"]

    [letter] = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.dlq(topics.INTAKE)), min_count=1
    )
    assert letter.key == str(bad).encode()
    found = await stored(runtime, [*good, bad])
    assert sorted(c[0] for c in found["cases"]) == sorted(good)
    assert sorted(k for k, _, _ in found["events"]) == sorted([good[0]] * 2 + [good[1]] * 2)
    assert bad not in {k for k, _ in found["timeline"]}


async def routed(client: Any, target: str) -> float:
    """gridcase_routing_outcomes_total for `target`, from the service's /metrics."""
    text = (await client.get("/metrics")).text
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "gridcase_routing_outcomes_total" and s.labels.get("target") == target
    )


async def test_a_runs_cases_are_counted_once_each_when_stored(
    demo_city: Any, runtime: DispatchRuntime
) -> None:
    before = {t: await routed(demo_city, t) for t in ("grid", "department")}
    grid = reported()
    water = reported(category_hint="utility/water-outage")  # counts open cases: written first

    await take_in(runtime, water, grid, reported(UUID(grid.subject)))
    await take_in(runtime, reported(UUID(water.subject)))  # stored before: not counted
    with pytest.raises(Failed):
        await take_in(runtime, reported(), fail=True)  # rolled back: not counted

    assert {t: await routed(demo_city, t) - before[t] for t in before} == {
        "grid": 1,
        "department": 1,
    }
