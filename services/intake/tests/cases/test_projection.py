"""The case's public status and deadline follow dispatch's and escalation's events in
their order, whatever order they arrive in: an older version or generation changes
nothing, events of different shapes (columns) each apply their own, and an event about
a case intake never took in writes nothing. Each event here in a transaction of its own
(a consumer run's events together: test_runs.py). Against the real database."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from intake.cases import repository
from intake.cases import service as case_service
from intake.cases.models import Case, CaseStep
from intake.hotline.endpoints import to_report
from intake.hotline.schemas import TicketIn

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


async def _new_case(runtime: Any, ticket: dict[str, Any]) -> UUID:
    async with runtime.transaction() as session:
        case, _ = await case_service.report(
            session=session,
            runtime=runtime,
            report=to_report(TicketIn.model_validate(ticket)),
            correlation_id="projection-1",
        )
    return UUID(str(case.id))


async def _case(runtime: Any, case_id: UUID) -> Case:
    async with runtime.sessionmaker() as session:
        found = await session.get(Case, case_id)
    assert found is not None
    return found


async def test_status_advances_by_version_and_each_shape_sets_its_own_columns(
    intake: Any, ticket: Any
) -> None:
    runtime = intake.app.state.runtime
    case_id = await _new_case(runtime, ticket(ticket_no="P-1"))
    routed = {"status": "routed", "status_changed_at": AT, "grid_code": "510302001001001"}
    resolved = {
        "status": "resolved",
        "status_changed_at": AT + timedelta(hours=2),
        "status_note": "已清运",
        "resolution_note": "已清运",
    }
    late_assigned = {"status": "assigned", "status_changed_at": AT + timedelta(hours=1)}
    unknown = uuid4()
    # Each event in a transaction of its own, as the runner applies one on its own.
    # Version 2 arrives last (another partition's replay): its status changes nothing,
    # its step is kept; a redelivered step adds nothing; a case intake never took in
    # gets nothing.
    for target, version, values in (
        (case_id, 1, routed),
        (case_id, 3, resolved),
        (case_id, 2, late_assigned),
        (case_id, 1, routed),
        (unknown, 1, routed),
    ):
        async with runtime.transaction() as session:
            repository.advance_status(session, case_id=target, version=version, values=values)
            repository.add_step(
                session,
                case_id=target,
                version=version,
                status=values["status"],
                at=values["status_changed_at"],
                note=values.get("status_note"),
            )

    case = await _case(runtime, case_id)
    assert (case.status, case.status_version) == ("resolved", 3)
    assert case.grid_code == "510302001001001"  # set by version 1, kept by version 3
    assert case.resolution_note == "已清运"
    assert case.status_changed_at == AT + timedelta(hours=2)
    async with runtime.sessionmaker() as session:
        steps = (
            await session.execute(
                select(CaseStep.case_id, CaseStep.version, CaseStep.status)
                .order_by(CaseStep.version)
                .where(CaseStep.case_id.in_([case_id, unknown]))
            )
        ).all()
    assert [(s.version, s.status) for s in steps] == [
        (1, "routed"),
        (2, "assigned"),
        (3, "resolved"),
    ]
    assert {s.case_id for s in steps} == {case_id}


async def _expect(
    runtime: Any, case_id: UUID, *, generation: int, changed_at: datetime, expected_at: datetime
) -> None:
    async with runtime.transaction() as session:
        repository.advance_expected(
            session,
            case_id=case_id,
            generation=generation,
            changed_at=changed_at,
            expected_at=expected_at,
        )


async def test_the_expected_date_follows_the_newest_resolution_clock(
    intake: Any, ticket: Any
) -> None:
    runtime = intake.app.state.runtime
    case_id = await _new_case(runtime, ticket(ticket_no="P-2"))
    first_due, second_due = AT + timedelta(days=3), AT + timedelta(days=5)
    await _expect(runtime, case_id, generation=2, changed_at=AT, expected_at=second_due)
    assert (await _case(runtime, case_id)).expected_at == second_due
    # The first generation's clock arrives after the second's: it changes nothing.
    await _expect(
        runtime, case_id, generation=1, changed_at=AT + timedelta(hours=1), expected_at=first_due
    )
    case = await _case(runtime, case_id)
    assert (case.expected_at, case.expected_generation) == (second_due, 2)

    # The same generation changed later (an extension granted) moves the date.
    later_due = AT + timedelta(days=6)
    await _expect(
        runtime, case_id, generation=2, changed_at=AT + timedelta(hours=4), expected_at=later_due
    )
    assert (await _case(runtime, case_id)).expected_at == later_due
