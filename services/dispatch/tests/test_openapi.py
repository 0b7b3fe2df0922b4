"""A property-based run over dispatch's OpenAPI (schemathesis) finds no 5xx.

dispatch runs for real (migrations, producer, relay, consumers) with the demo city's
directory imported first; schemathesis runs against it (`gridcase_events.fuzzing`),
every request carrying an admin's bearer token, so the worklist, directory and case
endpoints are fuzzed past authentication (issue 16)."""

from pathlib import Path

import httpx
import pytest

from dispatch.config import DispatchSettings
from dispatch.main import create_app
from gridcase_events.fuzzing import fuzz_openapi
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

DEMO = Path(__file__).resolve().parents[3] / "deploy" / "demo"
ADMIN = bearer("admin-openapi", "admin", "510302")
# The demo's staff file appoints the city centre too: only the deployment's admin (no
# district) may import it; the generated requests then carry the district admin's token.
PLATFORM_ADMIN = bearer("admin-platform", "admin")


async def import_demo_city(base_url: str) -> None:
    """The demo city's directory, so that generated requests meet real grids and staff."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        for kind, name in (
            ("departments", "departments.csv"),
            ("areas", "areas.geojson"),
            ("categories", "categories.csv"),
            ("staff", "staff.csv"),
        ):
            imported = await client.post(
                "/v1/directory/import",
                params={"kind": kind},
                files={"file": (name, (DEMO / name).read_bytes())},
                headers=PLATFORM_ADMIN,
            )
            assert imported.status_code == 200, imported.text


async def test_no_operation_answers_5xx_to_generated_requests(
    fresh_database: str, kafka_bootstrap: str, namespace: str, tmp_path: Path
) -> None:
    settings = DispatchSettings(
        env="development",
        database_url=fresh_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
    )

    run = await fuzz_openapi(
        create_app(settings),
        workdir=tmp_path,
        headers=ADMIN,
        max_examples=15,
        seed=20261128,
        timeout=300,
        prepare_before_fuzzing=import_demo_city,
    )

    staff = run.statuses_where(lambda path: path.startswith("/v1/"))
    print(dict(staff))
    assert run.returncode == 0, run.output[-6000:]
    assert run.report, "schemathesis wrote no report"
    # The token got requests past authentication, and nothing answered 5xx.
    assert sum(n for s, n in staff.items() if 200 <= s < 300) > 0, staff
    assert not run.server_errors, run.statuses
