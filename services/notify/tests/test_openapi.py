"""A property-based run over notify's OpenAPI (schemathesis), with an authenticated
admin's and a grid member's token, finds no 5xx (issue 16)."""

from pathlib import Path

import pytest

from gridcase_events.fuzzing import fuzz_openapi
from gridcase_events.testing import bearer
from notify.config import NotifySettings
from notify.main import create_app

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "headers",
    [bearer("admin1", "admin", "510302"), bearer("gm111a", "grid_member", "510302001001001")],
    ids=["admin", "grid_member"],
)
async def test_no_operation_answers_5xx_to_generated_requests(
    fresh_database: str,
    kafka_bootstrap: str,
    namespace: str,
    tmp_path: Path,
    headers: dict[str, str],
) -> None:
    settings = NotifySettings(
        env="development",
        database_url=fresh_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
        outbound_hosts=["127.0.0.1"],
    )
    run = await fuzz_openapi(
        create_app(settings),
        workdir=tmp_path,
        headers=headers,
        exclude_paths=("/v1/inbox/stream",),  # an event stream: it does not end by itself
    )

    assert run.returncode == 0, run.output[-6000:]
    assert run.statuses[200] > 0, run.statuses  # authenticated requests got through
    assert not run.server_errors, run.statuses
