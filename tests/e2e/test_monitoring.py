"""Every metric a dashboard or an alert rule names is one the running services expose.

The four services run as processes (the `platform` fixture), a signed 12345 ticket goes
through them, and each service's /metrics is scraped. Every query of every dashboard
under deploy/grafana/dashboards (panels and template variables) and every rule
expression under deploy/prometheus/rules is parsed as PromQL, and the metric names it
selects must be among the exposed ones (or series Prometheus makes itself, like `up`).
A dashboard added later is checked the same way."""

import json
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import promql_parser
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from gridcase_events.kit import signing
from gridcase_events.testing import eventually

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((REPO / "deploy" / "grafana" / "dashboards").glob("*.json"))
RULE_FILES = sorted((REPO / "deploy" / "prometheus" / "rules").glob("*.yml"))
SERVICES = ("intake", "dispatch", "escalation", "notify")
HOTLINE_SECRET = "e2e-hotline-secret"  # as the platform fixture configures intake
# Series Prometheus makes for every scrape target rather than reading from /metrics.
PROMETHEUS_SYNTHESISED = {
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
}
# Grafana's interval variables, replaced by a duration so that the query parses.
GRAFANA_INTERVALS = re.compile(r"\$__(rate_interval|interval|range)\b")
# Grafana's Prometheus template-variable functions that wrap a selector or a query.
GRAFANA_FUNCTIONS = re.compile(r"^\s*(label_values|query_result|metrics)\((.*)\)\s*$", re.DOTALL)
# The names each metric type adds to its family name in the text format.
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "gauge": ("",),
    "info": ("_info",),
    "unknown": ("",),
}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (by name or by `__name__="..."`)."""
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            if node.name:
                names.add(node.name)
            for matcher in node.matchers.matchers:
                if matcher.name == "__name__" and matcher.op == promql_parser.MatchOp.Equal:
                    names.add(matcher.value)

    promql_parser.walk(promql_parser.parse(GRAFANA_INTERVALS.sub("5m", expr)), visit)
    return names


def grafana_query_names(query: str) -> set[str]:
    """Names in a template variable's query: `label_values(sel, label)`,
    `query_result(expr)`, `metrics(regex)` (which names no metric) or plain PromQL."""
    wrapped = GRAFANA_FUNCTIONS.match(query)
    if wrapped is None:
        return metric_names(query)
    function, inner = wrapped.groups()
    if function == "metrics":
        return set()
    if function == "label_values":
        selector, _, _label = inner.rpartition(",")
        return metric_names(selector) if selector.strip() else set()
    return metric_names(inner)


def panels(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in items:
        yield panel
        yield from panels(panel.get("panels", []))  # rows and their nested panels


def queries() -> Iterator[tuple[str, str, set[str]]]:
    """(where, expression, names) for every dashboard query and rule expression."""
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        for panel in panels(board.get("panels", [])):
            for target in panel.get("targets", []):
                if target.get("expr"):
                    where = f"{path.name} · panel {panel.get('title')!r}"
                    yield where, target["expr"], metric_names(target["expr"])
        for variable in board.get("templating", {}).get("list", []):
            if variable.get("type") != "query":
                continue
            query = variable.get("query")
            text = query.get("query", "") if isinstance(query, dict) else str(query or "")
            if text:
                where = f"{path.name} · variable ${variable['name']}"
                yield where, text, grafana_query_names(text)
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                name = rule.get("alert") or rule.get("record")
                where = f"{path.relative_to(REPO)} · {name}"
                yield where, rule["expr"], metric_names(rule["expr"])


def exposed_names(text: str) -> set[str]:
    """Every series name a /metrics page exposes or declares (a labelled metric with no
    sample yet is declared by its HELP and TYPE lines: its names are known all the same)."""
    names: set[str] = set()
    for family in text_string_to_metric_families(text):
        names |= {s.name for s in family.samples}
        names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
    return names


# ------------------------------------------------------------------- the extractor


def test_the_extractor_finds_metric_names_and_nothing_else() -> None:
    expr = (
        'sum by (service, le) (rate(gridcase_a_bucket{status=~"5..", route="/v1/x"}[$__rate_interval]))'
        " / on (service) group_left sum(gridcase_b_total offset 1h)"
        ' and histogram_quantile(0.9, {__name__="gridcase_c_bucket"}) > bool 0'
        ' or label_replace(up, "dst", "$1", "instance", "(.*)") unless vector(1)'
    )
    assert metric_names(expr) == {
        "gridcase_a_bucket",
        "gridcase_b_total",
        "gridcase_c_bucket",
        "up",
    }


def test_template_variable_queries_are_read_inside_grafana_functions() -> None:
    assert grafana_query_names('label_values(up{job="gridcase"}, service)') == {"up"}
    assert grafana_query_names("label_values(service)") == set()
    assert grafana_query_names("query_result(sum(gridcase_x) by (a))") == {"gridcase_x"}
    assert grafana_query_names("metrics(gridcase_.*)") == set()


def test_histograms_and_counters_expose_their_suffixed_names() -> None:
    text = (
        "# HELP gridcase_h_seconds h\n# TYPE gridcase_h_seconds histogram\n"
        "# HELP gridcase_c_total c\n# TYPE gridcase_c_total counter\n"
        "# HELP gridcase_g g\n# TYPE gridcase_g gauge\ngridcase_g 1.0\n"
    )
    assert exposed_names(text) >= {
        "gridcase_h_seconds_bucket",
        "gridcase_h_seconds_count",
        "gridcase_h_seconds_sum",
        "gridcase_c_total",
        "gridcase_g",
    }
    assert "gridcase_h_seconds" not in exposed_names(text)


# ------------------------------------------------------------- against the services


async def scrape(platform: Any) -> dict[str, str]:
    async with httpx.AsyncClient() as client:
        return {
            name: (await client.get(f"{platform.urls[name]}/metrics")).text for name in SERVICES
        }


def value(text: str, name: str, **labels: str) -> float:
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


async def push_a_ticket(platform: Any) -> dict[str, Any]:
    """A signed 12345 ticket in 桂花社区一网格 (see deploy/demo), as the hotline pushes it."""
    ticket = {
        "ticket_no": f"MON-{secrets.token_hex(4)}",
        "received_at": datetime.now(UTC).isoformat(),
        "caller_phone": "13912345678",
        "content": "桂花路1号1栋楼下垃圾桶满溢",
        "category_hint": "environment/garbage-overflow",
        "lat": 29.355,
        "lon": 104.7725,
    }
    body = json.dumps(ticket, ensure_ascii=False).encode()
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{platform.urls['intake']}/v1/hotline/tickets",
            content=body,
            headers={
                "Content-Type": "application/json",
                signing.HEADER: signing.sign(HOTLINE_SECRET, body, now=datetime.now(UTC)),
            },
        )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


# What one ticket moves, in which service: (what, service, metric, labels).
ONE_TICKET = [
    (
        "intake accepted the push",
        "intake",
        "gridcase_http_requests_total",
        {"route": "/v1/hotline/tickets", "status": "201"},
    ),
    (
        "intake published case.reported",
        "intake",
        "gridcase_events_published_total",
        {"type": "case.reported"},
    ),
    (
        "dispatch consumed it",
        "dispatch",
        "gridcase_events_consumed_total",
        {"type": "case.reported", "outcome": "handled"},
    ),
    (
        "dispatch routed it to a grid",
        "dispatch",
        "gridcase_routing_outcomes_total",
        {"target": "grid"},
    ),
    ("dispatch gave it to the A post", "dispatch", "gridcase_assignments_total", {"post": "A"}),
    (
        "escalation started its clocks",
        "escalation",
        "gridcase_events_consumed_total",
        {"type": "case.assigned", "outcome": "handled"},
    ),
    (
        "notify sent the SMS",
        "notify",
        "gridcase_notifications_total",
        {"channel": "sms", "outcome": "delivered"},
    ),
]


def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, float]:
    return {
        what: value(after[service], name, **labels) - value(before[service], name, **labels)
        for what, service, name, labels in ONE_TICKET
    }


async def test_metrics_move_with_a_ticket_through_the_four_services(
    platform: Any, show_logs_on_failure: Any
) -> None:
    before = await scrape(platform)
    created = await push_a_ticket(platform)

    async def sms_sent() -> bool:
        return any(
            r.json()["params"]["tracking_no"] == created["tracking_no"]
            for r in platform.sink.requests
        )

    await eventually(sms_sent, timeout=60)

    async def moved() -> dict[str, str] | None:
        after = await scrape(platform)
        return after if set(changes(before, after).values()) == {1.0} else None

    try:
        after = await eventually(moved, timeout=30)
    except AssertionError:
        after = await scrape(platform)
    moves = changes(before, after)
    assert moves == dict.fromkeys(moves, 1.0)

    async def lag_per_partition() -> set[str] | None:
        text = (await scrape(platform))["dispatch"]
        partitions = {
            s.labels["partition"]
            for family in text_string_to_metric_families(text)
            for s in family.samples
            if s.name == "gridcase_consumer_lag"
            and s.labels.get("consumer") == "dispatch-intake"
            and s.labels.get("topic") == "gridcase.intake.v1"  # the topic, not its namespace
        }
        return partitions if partitions == {"0", "1", "2"} else None

    await eventually(lag_per_partition, timeout=30)
    for name in SERVICES:
        assert created["case_id"] not in after[name]  # no raw ids in label values


async def test_every_dashboard_and_rule_names_only_metrics_the_services_expose(
    platform: Any, show_logs_on_failure: Any
) -> None:
    await push_a_ticket(platform)
    exposed = set().union(*(exposed_names(text) for text in (await scrape(platform)).values()))
    assert "gridcase_routing_outcomes_total" in exposed  # the scrape reached dispatch

    unknown: dict[str, set[str]] = {}
    checked = 0
    for where, _expr, names in queries():
        checked += 1
        missing = names - exposed - PROMETHEUS_SYNTHESISED
        if missing:
            unknown[where] = missing
    assert checked > 0
    assert not unknown, "queries name metrics no service exposes:\n" + "\n".join(
        f"  {where}: {', '.join(sorted(names))}" for where, names in sorted(unknown.items())
    )
