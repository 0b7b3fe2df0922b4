"""Reports are counted once stored: a transaction rolled back (a failed batch) counts
nothing, against the real database."""

from typing import Any

import pytest
from prometheus_client import REGISTRY

from intake.cases import service as case_service
from intake.hotline.endpoints import to_report
from intake.hotline.schemas import TicketIn

pytestmark = pytest.mark.integration


def _created() -> float:
    value = REGISTRY.get_sample_value(
        "gridcase_intake_reports_total", {"channel": "hotline", "outcome": "created"}
    )
    return value or 0.0


class _Abandoned(Exception):
    pass


async def _report(runtime: Any, ticket: dict[str, Any], *, commit: bool) -> None:
    report = to_report(TicketIn.model_validate(ticket))
    try:
        async with runtime.transaction() as session:
            await case_service.report(
                session=session, runtime=runtime, report=report, correlation_id="metrics-1"
            )
            if not commit:
                raise _Abandoned
    except _Abandoned:
        pass


async def test_a_report_rolled_back_is_not_counted_and_a_committed_one_is(
    intake: Any, ticket: Any
) -> None:
    runtime = intake.app.state.runtime
    before = _created()

    await _report(runtime, ticket(ticket_no="M-1"), commit=False)
    assert _created() == before

    await _report(runtime, ticket(ticket_no="M-2"), commit=True)
    assert _created() == before + 1
