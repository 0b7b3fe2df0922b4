"""The monitoring files under deploy/ stay valid: promtool accepts the Prometheus config
and the alert rules and passes the rules' unit tests; every alert says how bad it is and
what happened, and is tested both firing and quiet; Grafana provisions every dashboard,
and every dashboard query is valid PromQL against the provisioned data source.
(That the queries name metrics the services really expose is tests/e2e/test_monitoring.py.)"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS = REPO / "deploy" / "prometheus"
GRAFANA = REPO / "deploy" / "grafana"
RULE_FILES = sorted((PROMETHEUS / "rules").glob("*.yml"))
RULE_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
# Grafana's interval variables, replaced by a duration so that the query parses.
GRAFANA_INTERVALS = re.compile(r"\$__(rate_interval|interval|range)\b")


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install promtool (Debian package prometheus): see .ci/run")
        pytest.skip("promtool not installed (apt-get install prometheus); CI installs it")
    return subprocess.run(
        [binary, *args], capture_output=True, text=True, check=False, cwd=REPO, timeout=120
    )


def alerts() -> list[dict[str, Any]]:
    return [
        rule
        for path in RULE_FILES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


def test_there_are_rules_rule_tests_and_dashboards() -> None:
    assert RULE_FILES
    assert RULE_TESTS
    assert {p.name for p in DASHBOARDS} >= {
        "platform-health.json",
        "case-flow.json",
        "sla-escalations.json",
    }


def test_prometheus_config_passes_promtool_check_config() -> None:
    result = promtool("check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(RULE_FILES)} rule files found" in result.stdout


def test_alert_rules_pass_promtool_check_rules() -> None:
    result = promtool("check", "rules", *map(str, RULE_FILES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rule_unit_tests_pass() -> None:
    result = promtool("test", "rules", *map(str, RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("alert", alerts(), ids=lambda a: a["alert"])
def test_every_alert_has_a_severity_a_summary_and_a_description(alert: dict[str, Any]) -> None:
    assert alert["labels"]["severity"] in {"critical", "warning", "info"}
    assert alert["annotations"]["summary"].strip()
    assert alert["annotations"]["description"].strip()
    assert "for" in alert


def test_every_alert_is_unit_tested_firing_and_quiet() -> None:
    firing: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {a["alert"] for a in alerts()}
    assert names - firing == set(), "alerts never tested firing"
    assert names - quiet == set(), "alerts never tested staying quiet"


def test_the_issue_s_alerts_are_all_there() -> None:
    expressions = {a["alert"]: a["expr"] for a in alerts()}
    wanted = {
        "GridcaseServiceDown": "up{",
        "GridcaseConsumerLagGrowing": "gridcase_consumer_lag",
        "GridcaseOutboxStuck": "gridcase_outbox_oldest_pending_age_seconds",
        "GridcaseEventsDeadLettered": "gridcase_events_dead_lettered_total",
        "GridcaseTimerLatenessHigh": "gridcase_timer_lateness_seconds_bucket",
        "GridcaseSlaBreachSpike": 'type="sla.breached"',
        "GridcaseNotificationsFailing": 'outcome="failed"',
    }
    for name, needle in wanted.items():
        assert needle in expressions.get(name, ""), name


def test_docker_compose_mounts_the_rules_where_prometheus_yml_looks() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    volumes = COMPOSE["services"]["prometheus"]["volumes"]
    assert "./deploy/prometheus/rules:/etc/prometheus/rules:ro" in volumes
    assert config["rule_files"] == ["rules/*.yml"]  # relative to /etc/prometheus/prometheus.yml


def test_grafana_provisions_the_dashboards_folder_compose_mounts() -> None:
    [provider] = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "gridcase.yml").read_text()
    )["providers"]
    volumes = COMPOSE["services"]["grafana"]["volumes"]
    assert f"./deploy/grafana/dashboards:{provider['options']['path']}:ro" in volumes
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in volumes


def test_dashboards_have_unique_uids_and_titles() -> None:
    boards = [json.loads(p.read_text()) for p in DASHBOARDS]
    assert len({b["uid"] for b in boards}) == len(boards)
    assert len({b["title"] for b in boards}) == len(boards)


def panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in board.get("panels", []):
        found.append(panel)
        found += panel.get("panels", [])  # inside collapsed rows
    return found


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_every_query_is_valid_promql_on_a_known_data_source(path: Path) -> None:
    board = json.loads(path.read_text())
    [datasource] = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )["datasources"]
    variables = {v["name"]: v for v in board["templating"]["list"]}
    allowed_uids = {datasource["uid"]}
    if variables.get("datasource", {}).get("type") == "datasource":
        allowed_uids.add("${datasource}")
    queries = 0
    for panel in panels(board):
        for target in panel.get("targets", []):
            uid = (target.get("datasource") or panel.get("datasource") or {}).get("uid")
            assert uid in allowed_uids, f"{panel['title']}: data source {uid!r}"
            promql_parser.parse(GRAFANA_INTERVALS.sub("5m", target["expr"]))
            queries += 1
    assert queries > 0
