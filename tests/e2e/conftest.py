"""The four services as real processes, against the real broker and database."""

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gridcase_events import topics
from gridcase_events.testing import (
    HttpSink,
    Servers,
    _create_database,
    _drop_database,
    bearer,
    free_port,
)

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "deploy" / "demo"
DEMO_FILES = [
    ("departments", "departments.csv"),
    ("areas", "areas.geojson"),
    ("categories", "categories.csv"),
    ("staff", "staff.csv"),
    ("gazetteer", "gazetteer.csv"),
    ("absences", "absences.csv"),
]
HOTLINE_SECRET = "e2e-hotline-secret"
SMS_SECRET = "e2e-sms-secret"
SERVICES = ("intake", "dispatch", "escalation", "notify")


@dataclass
class Platform:
    urls: dict[str, str]
    sink: HttpSink
    namespace: str
    database_url: str
    kafka: str
    logs: Path


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def _ready(name: str, url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{_tail(log)}")
            try:
                if (await client.get(f"{url}/readyz", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{name} not ready:\n{_tail(log)}")


@pytest.fixture(scope="module")
def platform_env() -> dict[str, str]:
    """Environment the services get on top of the development defaults below (a test
    module overrides this fixture, e.g. to run them in production against its own identity
    provider)."""
    return {}


@pytest.fixture(scope="module")
def platform_admin() -> dict[str, str]:
    """The admin's headers that import the demo city (an override goes with platform_env)."""
    return bearer("admin1", "admin", "510302")


@pytest.fixture(scope="module")
async def platform(
    servers: Servers,
    database_template: str,
    tmp_path_factory: pytest.TempPathFactory,
    platform_env: dict[str, str],
    platform_admin: dict[str, str],
) -> AsyncIterator[Platform]:
    database_url, admin_dsn = await _create_database(servers, database_template)
    namespace = f"e2e{secrets.token_hex(4)}."
    await topics.ensure(servers.kafka, namespace=namespace, partitions=3)
    sink = HttpSink()
    await sink.start()
    logs = tmp_path_factory.mktemp("logs")
    env = {
        **os.environ,
        "GRIDCASE_ENV": "development",
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka,
        "GRIDCASE_TOPIC_NAMESPACE": namespace,
        "GRIDCASE_HOTLINE_SECRETS": HOTLINE_SECRET,
        "NOTIFY_SMS_GATEWAY_URL": f"{sink.url}/sms/send",
        "NOTIFY_SMS_GATEWAY_SECRET": SMS_SECRET,
        "NOTIFY_POLL_INTERVAL_SECONDS": "0.1",
        "ESCALATION_REPORT_METRICS_SECONDS": "0.5",
        # Every test pushes its own ticket at the same spot and expects its own SMS;
        # duplicate merging has its own tests in services/intake/tests/merge.
        "INTAKE_MERGE_ENABLED": "false",
        "NOTIFY_QUIET_HOURS": "",  # the tests run at any hour of the real clock
        **platform_env,
    }
    urls: dict[str, str] = {}
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name in SERVICES:
            port = free_port()
            urls[name] = f"http://127.0.0.1:{port}"
            env[f"{name.upper()}_PORT"] = str(port)
            with (logs / f"{name}.log").open("wb") as log:  # the child keeps its own copy
                procs[name] = subprocess.Popen(  # noqa: ASYNC220 - returns at once
                    [sys.executable, "-m", name], env=env, stdout=log, stderr=subprocess.STDOUT
                )
        for name in SERVICES:
            await _ready(name, urls[name], procs[name], logs / f"{name}.log")
        async with httpx.AsyncClient() as client:
            for kind, file in DEMO_FILES:
                response = await client.post(
                    f"{urls['dispatch']}/v1/directory/import",
                    params={"kind": kind},
                    files={"file": (file, (DEMO / file).read_bytes())},
                    headers=platform_admin,
                    timeout=60,
                )
                assert response.status_code == 200, response.text
        yield Platform(urls, sink, namespace, database_url, servers.kafka, logs)
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        await sink.stop()
        await _drop_database(database_url, admin_dsn)


def platform_logs(platform: Platform) -> str:
    return "\n".join(
        f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(platform.logs.iterdir())
    )


@pytest.fixture
def show_logs_on_failure(platform: Platform, request: pytest.FixtureRequest) -> Any:
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(platform_logs(platform))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
