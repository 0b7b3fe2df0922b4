"""The service-quality metrics move with the projection, once per fact."""

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from escalation.config import EscalationSettings
from gridcase_events import envelope, payloads
from gridcase_events.testing import eventually

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-23T09:00:00+08:00")
MIN, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
GRID = "510302001001001"
STREET = {"street": "510302001", "department": "none"}


@pytest.fixture
def settings(settings: EscalationSettings) -> EscalationSettings:
    return settings.model_copy(update={"report_metrics_seconds": 0.05})


async def scrape(client: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def ref(case_id: Any, version: int) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "tracking_no": f"GC-{str(case_id)[-6:]}",
        "category_code": "environment/garbage-overflow",
        "priority": "normal",
        "channel": "hotline",
        "case_version": version,
    }


def assigned(case_id: Any, version: int, at: datetime) -> payloads.CaseAssigned:
    return payloads.CaseAssigned(
        **ref(case_id, version),
        assignee_id="gm111a",
        assignee_role="grid_member",
        post="A",
        reason="A post",
        grid_code=GRID,
        summary="垃圾满溢",
        assigned_at=at,
    )


def act(kind: type, case_id: Any, version: int, at: datetime, **extra: Any) -> Any:
    where = {"grid_code": GRID, **extra}
    return kind(
        **ref(case_id, version),
        actor_id="gm111a",
        actor_role="grid_member",
        at=at,
        assignee_id="gm111a",
        **where,
    )


async def test_histograms_and_counters_move_once_per_fact_and_gauges_follow_the_cases(
    client: Any, clock: Any, publish: Any, processed: Any
) -> None:
    before = await scrape(client)
    moved, stuck = envelope.new_id(), envelope.new_id()
    reported = [
        payloads.CaseReported(
            case_id=c,
            tracking_no=f"GC-{str(c)[-6:]}",
            channel="hotline",
            reported_at=T0 - 10 * MIN,
            content="垃圾满溢",
            priority="normal",
        )
        for c in (moved, stuck)
    ]
    sent = [await publish(r, source="intake") for r in reported]
    flow = [
        assigned(moved, 2, T0),
        act(
            payloads.CaseReturned,
            moved,
            3,
            T0 + 10 * MIN,
            grid_code=None,
            reason="不属本网格",
            returns=1,
            from_grid_code=GRID,
        ),
        assigned(moved, 4, T0 + 20 * MIN),
        act(payloads.CaseAccepted, moved, 5, T0 + 50 * MIN),
        act(payloads.CaseContacted, moved, 6, T0 + HOUR),
        act(payloads.CaseResolved, moved, 7, T0 + 4 * HOUR + 50 * MIN, note="ok"),
        act(payloads.CaseReopened, moved, 8, T0 + 2 * DAY, reason="没修好", reopenings=1),
        assigned(stuck, 2, T0),
    ]
    for event in flow:
        sent.append(await publish(event))
    # the return, the acceptance and the reopening delivered again
    for again in (sent[3], sent[5], sent[8]):
        sent.append(await publish(event=again))
    await processed([e.id for e in sent])

    after = await scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("gridcase_case_returns_total", **STREET) == 1
    assert delta("gridcase_case_reopenings_total", **STREET) == 1
    assert delta("gridcase_case_time_to_accept_seconds_count", priority="normal") == 1
    assert (
        delta("gridcase_case_time_to_accept_seconds_sum", priority="normal") == 3600
    )  # 08:50→09:50
    assert delta("gridcase_case_time_to_resolve_seconds_count", priority="normal") == 1
    assert delta("gridcase_case_time_to_resolve_seconds_sum", priority="normal") == 5 * 3600

    # A week and a day on: the stuck case is past its resolution deadline and escalated;
    # the reopened one runs a fresh 7-day clock from its reopening.
    clock.set(T0 + 8 * DAY)

    async def gauges() -> dict[Any, float] | None:
        samples = await scrape(client)
        found = {
            n: value(samples, f"gridcase_cases_{n}", **STREET)
            for n in ("open", "overdue", "escalated")
        }
        return samples if found == {"open": 2, "overdue": 1, "escalated": 1} else None

    assert await eventually(gauges)


def dashboard_metrics() -> set[str]:
    """Every gridcase metric the three-rates dashboard queries."""
    path = Path(__file__).resolve().parents[4] / "deploy/grafana/dashboards/three-rates.json"
    panels = json.loads(path.read_text())["panels"]
    exprs = [t["expr"] for p in panels for t in p.get("targets", [])]
    return {n for e in exprs for n in re.findall(r"\bgridcase_[a-z_]+", e)}


async def test_the_three_rates_dashboard_names_only_metrics_escalation_exposes(
    client: Any,
) -> None:
    used = dashboard_metrics()
    response = await client.get("/metrics")
    exposed = set()
    for family in text_string_to_metric_families(response.text):
        suffixes = ("_bucket", "_count", "_sum") if family.type == "histogram" else ("",)
        exposed |= {family.name + s for s in suffixes}
        if family.type == "counter":
            exposed.add(family.name + "_total")

    assert used, "the dashboard queries no gridcase metric"
    assert used <= exposed, used - exposed
