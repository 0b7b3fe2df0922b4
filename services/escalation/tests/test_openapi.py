"""A property-based run over escalation's OpenAPI (schemathesis), with an authenticated
district centre's and a grid member's token, finds no 5xx (issue 16)."""

from pathlib import Path

import pytest

from escalation.config import EscalationSettings
from escalation.main import create_app
from gridcase_events.fuzzing import fuzz_openapi
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "headers",
    [
        bearer("admin1", "admin", "510302"),
        bearer("op1", "department_operator", department_code="chengguan"),
    ],
    ids=["admin", "department_operator"],
)
async def test_no_operation_answers_5xx_to_generated_requests(
    settings: EscalationSettings, tmp_path: Path, headers: dict[str, str]
) -> None:
    run = await fuzz_openapi(create_app(settings), workdir=tmp_path, headers=headers)

    assert run.returncode == 0, run.output[-6000:]
    assert run.statuses[200] > 0, run.statuses  # authenticated requests got through
    assert not run.server_errors, run.statuses
