"""A breached case climbs the ladder, with reminders, until it moves (real Kafka)."""

import json
from datetime import timedelta
from typing import Any

import pytest

from gridcase_events import envelope, payloads, topics
from gridcase_events.testing import bearer, read_topic

pytestmark = pytest.mark.integration

RUNGS = [
    ("gl111", "grid_leader", "510302001001001"),
    ("sm11", "station_master", "510302001001"),
    ("so1", "street_officer", "510302001"),
    ("dc1", "district_center", "510302"),
]


async def test_a_breached_case_climbs_rung_by_rung_with_reminders_until_accepted(
    client: Any,
    dispatch: Any,
    clocks_of: Any,
    build: Any,
    clock: Any,
    directory_staff: Any,
    escalated: Any,
    kafka_bootstrap: str,
    namespace: str,
) -> None:
    await directory_staff(*RUNGS)
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    await clocks_of(case_id, lambda c: len(c) == 2)

    clock.advance(timedelta(hours=2, minutes=1))  # the 2-hour sign-for clock breached
    [first] = await escalated(case_id, 1)
    clock.advance(timedelta(hours=2))  # breach + 2 h: the station master's rung
    second = (await escalated(case_id, 2))[1]
    clock.advance(timedelta(hours=4))  # 4 h after the last rung: a reminder (催办)
    third = (await escalated(case_id, 3))[2]

    assert (first["level"], first["urge"], first["target_role"], first["target_staff_ids"]) == (
        1,
        0,
        "grid_leader",
        ["gl111"],
    )
    assert first["clock"] == "sign_for"
    assert "passed 1min ago" in first["reason"]
    assert (second["level"], second["urge"], second["target_staff_ids"]) == (2, 0, ["sm11"])
    assert (third["level"], third["urge"], third["target_staff_ids"]) == (2, 1, ["sm11"])
    assert "催办" in third["reason"]

    # The assignee signs for it: the sign-for clock stops, and so does the ladder.
    await dispatch(payloads.CaseAccepted(**build.action(case_id, clock.now())))
    await clocks_of(
        case_id, lambda c: any(x["kind"] == "sign_for" and x["status"] == "stopped" for x in c)
    )
    clock.advance(timedelta(days=3))
    from escalation.timers.scheduler import TimerScheduler

    await TimerScheduler(runtime=client.app.state.runtime).run_once()
    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.ESCALATION), min_count=1
    )
    escalated = [
        r
        for r in records
        if json.loads(r.value)["type"] == "case.escalated"
        and json.loads(r.value)["data"]["clock"] == "sign_for"
    ]
    assert len(escalated) == 3


async def test_the_ladder_is_data_that_admins_replace(client: Any) -> None:
    admin = bearer("admin1", "admin", "510302")
    new = [{"unit": "grid", "level": 1, "role": "station_master", "delay_minutes": 30}]

    gap = await client.put("/v1/ladder", json=[{**new[0], "level": 2}], headers=admin)
    refused = await client.put(
        "/v1/ladder", json=new, headers=bearer("sm11", "station_master", "510302001001")
    )
    replaced = await client.put("/v1/ladder", json=new, headers=admin)

    assert gap.status_code == 422
    assert refused.status_code == 403
    rungs = {(r["unit"], r["level"]): r for r in replaced.json()}
    assert rungs[("grid", 1)]["role"] == "station_master"
    assert ("grid", 2) not in rungs
    assert rungs[("department", 1)]["role"] == "district_center"  # untouched
