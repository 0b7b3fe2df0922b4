"""The four services as real processes, against the real broker and database."""

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gridcase_events import topics
from gridcase_events.testing import (
    HttpSink,
    Servers,
    _create_database,
    _delete_namespace,
    _drop_database,
    bearer,
)
from tests.processes import SERVICES, ServiceProcesses, service_env

HOTLINE_SECRET = "e2e-hotline-secret"
SMS_SECRET = "e2e-sms-secret"


@dataclass
class Platform:
    urls: dict[str, str]
    sink: HttpSink
    namespace: str
    database_url: str
    kafka: str
    logs: Path


@pytest.fixture(scope="module")
def platform_env() -> dict[str, str]:
    """Environment the services get on top of the development defaults below (a test
    module overrides this fixture, e.g. to run them in production against its own identity
    provider)."""
    return {}


@pytest.fixture(scope="module")
def platform_admin() -> dict[str, str]:
    """The headers of the admin of the whole deployment that imports the demo city (an
    override goes with platform_env)."""
    return bearer("admin0", "admin")


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
    env = service_env(
        database_url=database_url,
        kafka=servers.kafka,
        namespace=namespace,
        hotline_secret=HOTLINE_SECRET,
        sms_gateway=f"{sink.url}/sms/send",
        sms_secret=SMS_SECRET,
        NOTIFY_POLL_INTERVAL_SECONDS="0.1",
        ESCALATION_REPORT_METRICS_SECONDS="0.5",
        **platform_env,
    )
    services = ServiceProcesses(logs=logs, env=env)
    try:
        await services.start_all(timeout=90)
        await services.import_demo(headers=platform_admin)
        urls = {name: services.url(name) for name in SERVICES}
        yield Platform(urls, sink, namespace, database_url, servers.kafka, logs)
    finally:
        services.stop_all()
        await sink.stop()
        await _drop_database(database_url, admin_dsn)
        await _delete_namespace(servers.kafka, namespace)


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
