"""Durable timers: each fires once, at its time, across replicas and restarts."""

import asyncio
import json
from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from escalation.main import create_app
from escalation.timers.scheduler import TimerScheduler
from gridcase_events import envelope, topics
from gridcase_events.kit.db import create_engine
from gridcase_events.testing import eventually, read_topic, running

pytestmark = pytest.mark.integration


async def sla_events(kafka: str, namespace: str, case_id: Any, count: int) -> list[dict[str, Any]]:
    async def check() -> list[dict[str, Any]] | None:
        records = await read_topic(
            kafka, topics.qualify(namespace, topics.ESCALATION), min_count=count
        )
        events = [json.loads(r.value) for r in records if r.key == str(case_id).encode()]
        # What the timers fired; not the announcements of clocks starting.
        events = [e for e in events if e["type"] != "sla.clock_started"]
        return events if len(events) >= count else None

    result: list[dict[str, Any]] = await eventually(check)
    return result


async def scalar(url: str, sql: str) -> Any:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar_one()
    finally:
        await engine.dispose()


async def test_warnings_and_the_breach_fire_once_each_at_their_time(
    client: Any,
    dispatch: Any,
    clocks_of: Any,
    build: Any,
    clock: Any,
    kafka_bootstrap: str,
    namespace: str,
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    await clocks_of(case_id, lambda c: len(c) == 2)

    clock.advance(timedelta(minutes=61))  # past 50% of the 2-hour sign-for clock
    [warning] = await sla_events(kafka_bootstrap, namespace, case_id, 1)
    clock.advance(timedelta(minutes=60))  # 2 h 1 min: past 80% and the deadline
    events = [
        e
        for e in await sla_events(kafka_bootstrap, namespace, case_id, 3)
        if e["type"].startswith("sla.")
    ]

    assert (warning["type"], warning["data"]["clock"], warning["data"]["percent"]) == (
        "sla.warning",
        "sign_for",
        50,
    )
    assert warning["data"]["late_seconds"] == 60.0  # due at 60 min, seen at 61
    assert [(e["type"], e["data"].get("percent")) for e in events] == [
        ("sla.warning", 50),
        ("sla.warning", 80),
        ("sla.breached", None),
    ]
    breached = events[2]["data"]
    assert breached["assignee_id"] == "gm111a"
    assert breached["late_seconds"] == 60.0
    assert {e["correlation_id"] for e in events} == {f"corr-{case_id}"}
    clocks = await clocks_of(case_id)
    assert clocks[("sign_for", 1)]["breached"] is True
    assert clocks[("resolution", 1)]["breached"] is False


async def test_a_stopped_clock_fires_nothing(
    client: Any, dispatch: Any, clocks_of: Any, build: Any, clock: Any, settings: Any
) -> None:
    from gridcase_events import payloads

    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    await dispatch(payloads.CaseAccepted(**build.action(case_id, clock.now())))
    await clocks_of(case_id, lambda c: any(x["status"] == "stopped" for x in c))

    clock.advance(timedelta(hours=3))
    await TimerScheduler(runtime=client.app.state.runtime).run_once()

    sent = await scalar(
        settings.database_url.get_secret_value(),
        "SELECT count(*) FROM escalation.outbox WHERE event_type IN ('sla.warning', 'sla.breached')",
    )
    assert sent == 0


async def test_several_scheduler_replicas_fire_each_timer_once(
    client: Any, dispatch: Any, clocks_of: Any, build: Any, clock: Any, settings: Any
) -> None:
    cases = [envelope.new_id() for _ in range(10)]
    for case_id in cases:
        await dispatch(build.assigned(case_id))
    for case_id in cases:
        await clocks_of(case_id, lambda c: len(c) == 2)
    url = settings.database_url.get_secret_value()
    assert (
        await scalar(url, "SELECT count(*) FROM escalation.timers WHERE status = 'pending'") == 60
    )

    clock.advance(timedelta(days=20))  # every warning, breach, rung and red card is due
    runtime = client.app.state.runtime
    replicas = [TimerScheduler(runtime=runtime) for _ in range(3)]  # besides the app's own
    await asyncio.gather(*(r.run_once() for r in replicas))

    async def all_fired() -> bool:
        pending = (
            "SELECT count(*) FROM escalation.timers WHERE status = 'pending' AND kind <> 'urge'"
        )
        return bool(await scalar(url, pending) == 0)

    await eventually(all_fired)
    # Every warning and breach once; every rung of the ladder once per breached clock.
    sla = (
        "SELECT count(*) FROM escalation.outbox WHERE event_type IN ('sla.warning', 'sla.breached')"
    )
    assert await scalar(url, sla) == 60
    escalated = "SELECT count(*) FROM escalation.outbox WHERE event_type = 'case.escalated'"
    assert await scalar(url, escalated) == 10 * 2 * 4
    cards = "SELECT count(*) FROM escalation.outbox WHERE event_type = 'supervision.issued'"
    assert await scalar(url, cards) == 10 * 2  # a yellow and a red card per resolution breach
    assert (
        await scalar(
            url,
            "SELECT count(DISTINCT (payload->'data'->>'case_id', payload->'data'->>'clock', payload->'data'->>'percent', payload->>'type')) FROM escalation.outbox WHERE event_type IN ('sla.warning', 'sla.breached')",
        )
        == 60
    )


async def test_after_downtime_an_overdue_timer_fires_once_marked_late(
    settings: Any, clock: Any, dispatch: Any, build: Any, kafka_bootstrap: str, namespace: str
) -> None:
    case_id = envelope.new_id()
    async with running(create_app(settings, clock=clock)) as first:
        await dispatch(build.assigned(case_id))

        async def started() -> bool:
            from gridcase_events.testing import bearer

            r = await first.get(
                f"/v1/cases/{case_id}/clocks", headers=bearer("dc1", "district_center", "510302")
            )
            return r.status_code == 200 and len(r.json()) == 2

        await eventually(started)

    clock.advance(timedelta(hours=3))  # the service is down past the 2-hour sign-for deadline
    async with running(create_app(settings, clock=clock)):
        events = await sla_events(kafka_bootstrap, namespace, case_id, 3)

    breach = [e for e in events if e["type"] == "sla.breached"]
    assert len(breach) == 1
    assert breach[0]["data"]["clock"] == "sign_for"
    assert breach[0]["data"]["late_seconds"] == 3600.0


async def test_an_extension_after_a_breach_arms_the_clock_again(
    client: Any,
    dispatch: Any,
    clocks_of: Any,
    build: Any,
    clock: Any,
    kafka_bootstrap: str,
    namespace: str,
) -> None:
    from gridcase_events import payloads

    case_id = envelope.new_id()
    start = clock.now()
    await dispatch(
        build.assigned(case_id, priority="urgent", category="safety/fire-hazard")
    )  # resolve in 2 h
    await clocks_of(case_id, lambda c: len(c) == 2)
    clock.advance(timedelta(hours=2, minutes=1))
    await sla_events(kafka_bootstrap, namespace, case_id, 6)  # both clocks: 50%, 80%, breach

    until = start + timedelta(hours=5)
    await dispatch(
        payloads.CaseExtensionApproved(**build.action(case_id, clock.now()), until=until)
    )
    await clocks_of(
        case_id, lambda c: any(x["kind"] == "resolution" and x["breached"] is False for x in c)
    )
    clock.advance(timedelta(hours=3))  # past the extended deadline

    async def two_breaches() -> list[dict[str, Any]] | None:
        events = await sla_events(kafka_bootstrap, namespace, case_id, 6)
        found = [
            e for e in events if e["type"] == "sla.breached" and e["data"]["clock"] == "resolution"
        ]
        return found if len(found) == 2 else None

    breaches = await eventually(two_breaches)
    assert breaches[1]["data"]["due_at"].startswith(until.astimezone(UTC).isoformat()[:19])
