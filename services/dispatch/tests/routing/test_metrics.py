"""Routing outcomes and assignment posts show in /metrics, once per real decision;
HTTP requests are labelled by route template. Driven by real events through Kafka."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from gridcase_events import envelope, payloads, topics
from gridcase_events.testing import bearer, eventually

pytestmark = pytest.mark.integration

GUIHUA_1 = {"lat": 29.355, "lon": 104.7725}  # 桂花社区一网格: its A post is on duty
GUIHUA_2 = {"lat": 29.355, "lon": 104.7775}  # 桂花社区二网格: its A post is on leave
NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


async def sample(client: Any, name: str, labels: Mapping[str, str]) -> float:
    """The value of one sample in the service's /metrics (0 when absent)."""
    text = (await client.get("/metrics")).text
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


ROUTED = "gridcase_routing_outcomes_total"
ASSIGNED = "gridcase_assignments_total"


async def test_routing_outcomes_are_counted_by_target_and_method(
    demo_city: Any, report: Any, settled: Any
) -> None:
    grid = {"target": "grid", "method": "point_in_polygon"}
    department = {"target": "department", "method": "category_department"}
    triage = {"target": "triage", "method": "unplaceable"}
    outcomes = {"grid": grid, "department": department, "triage": triage}
    before = {k: await sample(demo_city, ROUTED, v) for k, v in outcomes.items()}

    await settled(await report(location=GUIHUA_1))
    await settled(await report(location=GUIHUA_1))
    await settled(await report(category_hint="utility/water-outage", location=GUIHUA_1))
    await settled(await report(category_hint="something/unknown", location=GUIHUA_1))

    assert await sample(demo_city, ROUTED, grid) - before["grid"] == 2
    assert await sample(demo_city, ROUTED, department) - before["department"] == 1
    assert await sample(demo_city, ROUTED, triage) - before["triage"] == 1


async def test_assignments_are_counted_by_the_post_that_took_the_case(
    demo_city: Any, report: Any, settled: Any
) -> None:
    posts = ("A", "B", "operator")
    before = {p: await sample(demo_city, ASSIGNED, {"post": p}) for p in posts}

    a = await settled(await report(location=GUIHUA_1))
    b = await settled(await report(location=GUIHUA_2))
    op = await settled(await report(category_hint="utility/water-outage", location=GUIHUA_1))

    assert (a["assignee_post"], b["assignee_post"], op["assignee_post"]) == ("A", "B", "operator")
    after = {p: await sample(demo_city, ASSIGNED, {"post": p}) for p in posts}
    assert {p: after[p] - before[p] for p in posts} == {"A": 1, "B": 1, "operator": 1}


async def test_a_redelivered_report_is_not_counted_twice(
    demo_city: Any, settled: Any, producer: AIOKafkaProducer, namespace: str
) -> None:
    case_id = envelope.new_id()
    event = envelope.build(
        payloads.CaseReported(
            case_id=case_id,
            tracking_no="GC-20261121-METRIC",
            channel="hotline",
            external_ref=f"T-{case_id}",
            reported_at=NOW,
            content="垃圾满溢",
            priority="normal",
            category_hint="environment/garbage-overflow",
            location=payloads.GeoPoint(**GUIHUA_1),
        ),
        subject=str(case_id),
        source="intake",
        tenant="510302",
        correlation_id=f"corr-{case_id}",
        time=NOW,
    )
    grid = {"target": "grid", "method": "point_in_polygon"}
    routed_before = await sample(demo_city, ROUTED, grid)
    a_before = await sample(demo_city, ASSIGNED, {"post": "A"})
    duplicates = {"consumer": "dispatch-intake", "type": "case.reported", "outcome": "duplicate"}
    duplicates_before = await sample(demo_city, "gridcase_events_consumed_total", duplicates)

    for _ in range(2):  # the same event twice, as after a consumer crash before its commit
        await (
            await producer.send(
                topics.qualify(namespace, topics.INTAKE),
                key=str(case_id).encode(),
                value=event.to_bytes(),
            )
        )
    await settled(case_id)

    async def duplicate_skipped() -> bool:
        now = await sample(demo_city, "gridcase_events_consumed_total", duplicates)
        return now - duplicates_before >= 1

    await eventually(duplicate_skipped)
    assert await sample(demo_city, ROUTED, grid) - routed_before == 1
    assert await sample(demo_city, ASSIGNED, {"post": "A"}) - a_before == 1


async def test_http_requests_are_labelled_by_route_template_not_raw_path(
    demo_city: Any, report: Any, settled: Any
) -> None:
    case = await settled(await report(location=GUIHUA_1))
    dispatcher = bearer("dp1", "dispatcher", "510302")
    labels = {"service": "dispatch", "method": "GET", "route": "/v1/cases/{case_id}"}
    ok = {**labels, "status": "200"}
    missing = {**labels, "status": "404"}
    before = (
        await sample(demo_city, "gridcase_http_requests_total", ok),
        await sample(demo_city, "gridcase_http_requests_total", missing),
    )

    assert (await demo_city.get(f"/v1/cases/{case['id']}", headers=dispatcher)).status_code == 200
    unknown = envelope.new_id()
    assert (await demo_city.get(f"/v1/cases/{unknown}", headers=dispatcher)).status_code == 404

    assert await sample(demo_city, "gridcase_http_requests_total", ok) - before[0] == 1
    assert await sample(demo_city, "gridcase_http_requests_total", missing) - before[1] == 1
    assert await sample(demo_city, "gridcase_http_request_duration_seconds_count", labels) > 0
    text = (await demo_city.get("/metrics")).text
    assert str(case["id"]) not in text
    assert str(unknown) not in text


async def test_unknown_paths_and_methods_do_not_grow_the_label_sets(client: Any) -> None:
    unmatched = {"service": "dispatch", "method": "GET", "route": "unmatched", "status": "404"}
    other = {"service": "dispatch", "method": "other", "route": "/v1/tasks"}
    before = (
        await sample(client, "gridcase_http_requests_total", unmatched),
        await sample(client, "gridcase_http_requests_total", other),
    )

    for n in range(3):
        assert (await client.get(f"/no/such/page/{n}")).status_code == 404
    assert (await client.request("PROPFIND", "/v1/tasks")).status_code == 405

    assert await sample(client, "gridcase_http_requests_total", unmatched) - before[0] == 3
    assert await sample(client, "gridcase_http_requests_total", other) - before[1] == 1
    text = (await client.get("/metrics")).text
    assert "/no/such/page" not in text
    assert "PROPFIND" not in text
