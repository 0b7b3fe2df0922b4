"""What the hand-offs of the operators' case API (``case.dispatched``: 派遣, 改派, claim)
do to a case's clocks, over the real broker."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from gridcase_events import envelope, payloads
from gridcase_events.testing import bearer, eventually

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-23T09:00:00+08:00")  # Monday
GRID = "510302001001001"
CENTRE = bearer("dc1", "district_center", "510302")
FIRST_OWNER = payloads.Owner(unit="grid", code=GRID, staff_id="gm111a")


def dispatched(
    build: Any,
    case_id: UUID,
    at: datetime,
    *,
    kind: str = "dispatch",
    grid_code: str | None = None,
    department_code: str | None = None,
    assignee_id: str | None = None,
    version: int = 3,
    **extra: Any,
) -> payloads.CaseDispatched:
    return payloads.CaseDispatched(
        **{
            **build.action(case_id, at),
            "case_version": version,
            "actor_id": "dp1",
            "actor_role": "dispatcher",
            "grid_code": grid_code,
            "department_code": department_code,
            "assignee_id": assignee_id,
        },
        kind=kind,
        target="department" if department_code else "grid",
        reason="派遣",
        from_status="triage",
        **extra,
    )


@pytest.fixture
def clocks_seen(client: Any) -> Any:
    """Waits until the case's clocks, as the district centre sees them, satisfy `done`."""

    async def wait(case_id: UUID, done: Any) -> dict[tuple[str, int], dict[str, Any]]:
        async def fetch() -> list[dict[str, Any]] | None:
            response = await client.get(f"/v1/cases/{case_id}/clocks", headers=CENTRE)
            body = response.json() if response.status_code == 200 else None
            return body if body and done(body) else None

        body = await eventually(fetch)
        return {(c["kind"], c["generation"]): c for c in body}

    return wait


def due(clock: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(clock["due_at"])


async def test_a_triage_case_dispatched_to_a_departments_queue_starts_its_clocks(
    client: Any, dispatch: Any, build: Any, clocks_seen: Any
) -> None:
    """Nobody of the department on duty: the department itself must sign for it, and
    the settlement clock runs from the dispatch."""
    case_id = envelope.new_id()
    await dispatch(dispatched(build, case_id, T0, department_code="water"))

    clocks = await clocks_seen(case_id, lambda c: len(c) == 2)

    sign_for, resolution = clocks[("sign_for", 1)], clocks[("resolution", 1)]
    assert (sign_for["status"], sign_for["department_code"], sign_for["assignee_id"]) == (
        "running",
        "water",
        None,
    )
    assert due(sign_for) == T0 + timedelta(hours=2)
    assert (resolution["status"], resolution["department_code"]) == ("running", "water")
    assert due(resolution) == T0 + timedelta(days=7)


async def test_a_dispatch_to_a_person_leaves_the_sign_for_clock_to_their_assignment(
    client: Any, dispatch: Any, build: Any, clocks_seen: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(dispatched(build, case_id, T0, grid_code=GRID, assignee_id="gm111a"))
    await dispatch(build.assigned(case_id, at=T0))

    clocks = await clocks_seen(case_id, lambda c: any(x["kind"] == "sign_for" for x in c))

    assert sorted(clocks) == [("resolution", 1), ("sign_for", 1)]
    assert clocks[("sign_for", 1)]["assignee_id"] == "gm111a"


async def test_a_returned_case_dispatched_elsewhere_keeps_its_settlement_clock(
    client: Any, dispatch: Any, build: Any, clocks_seen: Any
) -> None:
    """限时办结 counts from the first assignment: a return and a new unit do not give
    the case a fresh deadline, but the clock (and its ladder) is now the new unit's."""
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id, at=T0))
    await dispatch(
        payloads.CaseReturned(
            **{**build.action(case_id, T0 + timedelta(hours=1)), "grid_code": None},
            reason="不归我管",
            returns=1,
            from_grid_code=GRID,
        )
    )
    await dispatch(
        dispatched(build, case_id, T0 + timedelta(hours=2), department_code="water", version=4)
    )

    clocks = await clocks_seen(
        case_id, lambda c: any(x["kind"] == "sign_for" and x["generation"] == 2 for x in c)
    )

    resolution = clocks[("resolution", 1)]
    assert ("resolution", 2) not in clocks
    assert due(resolution) == T0 + timedelta(days=7)
    assert (resolution["grid_code"], resolution["department_code"]) == (None, "water")
    assert clocks[("sign_for", 2)]["department_code"] == "water"
    assert clocks[("ownership", 1)]["status"] == "running"  # still nobody has accepted


async def test_a_dispatch_out_of_a_units_queue_counts_toward_buck_passing(
    client: Any, dispatch: Any, build: Any, directory_staff: Any, escalated: Any
) -> None:
    """Returned, transferred, then dispatched out of the unit it was transferred to:
    three hand-offs, more than the two allowed (首问负责制)."""
    await directory_staff(("gl111", "grid_leader", GRID), ("dc1", "district_center", "510302"))
    case_id = envelope.new_id()
    at = T0  # the service's clock stands here: an ownership clock due now fires at once
    common = {**build.action(case_id, at), "first_owner": FIRST_OWNER, "assignee_id": None}
    await dispatch(build.assigned(case_id, at=T0))
    await dispatch(
        payloads.CaseReturned(
            **{**common, "grid_code": None}, reason="不归我管", returns=1, from_grid_code=GRID
        )
    )
    await dispatch(
        payloads.CaseTransferred(
            **{**common, "grid_code": None, "department_code": "urban"},
            reason="城管处理",
            transfers=1,
        )
    )
    await dispatch(
        dispatched(
            build,
            case_id,
            at,
            department_code="water",
            first_owner=FIRST_OWNER,
            from_department_code="urban",
            transfers=2,
            version=5,
        )
    )

    [first] = await escalated(case_id, 1)

    assert (first["clock"], first["buck_passing"], first["level"]) == ("ownership", True, 1)
    assert "3 hand-off(s)" in first["reason"]
    assert "first owner gm111a stays accountable" in first["reason"]


async def test_a_reassignment_keeps_the_settlement_clock_running_for_the_new_person(
    client: Any, dispatch: Any, build: Any, clocks_seen: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id, at=T0))
    later = T0 + timedelta(hours=3)
    await dispatch(
        dispatched(
            build,
            case_id,
            later,
            kind="reassign",
            grid_code=GRID,
            assignee_id="gm111b",
            previous_assignee_id="gm111a",
        )
    )
    await dispatch(
        payloads.CaseAssigned(
            **build.ref(case_id, version=4),
            assignee_id="gm111b",
            assignee_role="grid_member",
            post="B",
            reason="改派",
            grid_code=GRID,
            summary="垃圾满溢",
            assigned_at=later,
        )
    )

    clocks = await clocks_seen(
        case_id, lambda c: any(x["kind"] == "sign_for" and x["generation"] == 2 for x in c)
    )

    resolution = clocks[("resolution", 1)]
    assert (resolution["status"], resolution["assignee_id"]) == ("running", "gm111b")
    assert due(resolution) == T0 + timedelta(days=7)
    assert ("resolution", 2) not in clocks
    assert clocks[("sign_for", 2)]["assignee_id"] == "gm111b"
    assert ("ownership", 1) not in clocks  # within the unit: no hand-off to another owner


WATER = bearer("water1", "department_operator", None, "water")
GAS = bearer("gas1", "department_operator", None, "gas")


async def test_the_departments_operator_reads_the_clocks_of_a_case_in_its_queue(
    client: Any, dispatch: Any, build: Any, clocks_seen: Any
) -> None:
    """No assignee yet: the clocks are the department's, for its operators (and not
    for another department's)."""
    case_id = envelope.new_id()
    await dispatch(dispatched(build, case_id, T0, department_code="water"))
    await clocks_seen(case_id, lambda c: len(c) == 2)

    mine = await client.get(f"/v1/cases/{case_id}/clocks", headers=WATER)
    theirs = await client.get(f"/v1/cases/{case_id}/clocks", headers=GAS)

    assert mine.status_code == 200
    assert sorted(c["kind"] for c in mine.json()) == ["resolution", "sign_for"]
    assert theirs.status_code == 403


async def test_a_case_routed_to_a_department_nobody_took_has_no_clock_yet(
    client: Any, dispatch: Any, build: Any, settings: Any
) -> None:
    """Routed with nobody on duty, it waits in the queue: no clock starts until someone
    is assigned or it is dispatched (the console says 暂无时限 on this 404)."""
    from sqlalchemy import text

    from gridcase_events.kit.db import create_engine

    case_id = envelope.new_id()
    event = await dispatch(
        payloads.CaseRouted(
            **build.ref(case_id),
            target="department",
            method="category_department",
            department_code="water",
            reason="by category",
        )
    )
    engine = create_engine(settings.database_url.get_secret_value(), pool_size=1)
    try:

        async def handled() -> bool:
            async with engine.connect() as conn:
                seen = await conn.execute(
                    text("SELECT count(*) FROM escalation.inbox WHERE event_id = :id"),
                    {"id": event.id},
                )
                return bool(seen.scalar_one())

        await eventually(handled)
    finally:
        await engine.dispose()

    answer = await client.get(f"/v1/cases/{case_id}/clocks", headers=WATER)

    assert answer.status_code == 404


URBAN = bearer("urban1", "department_operator", None, "urban")


async def test_a_case_transferred_to_a_department_nobody_took_is_that_departments_to_read(
    client: Any, dispatch: Any, build: Any, clocks_seen: Any
) -> None:
    """Transferred from the grid to urban management, nobody there on duty: the newest
    clock is the ownership one against the grid's first owner, yet the case is urban's
    now, so urban's operator reads its clocks (another department's still may not)."""
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id, at=T0))
    await dispatch(
        payloads.CaseTransferred(
            **{
                **build.action(case_id, T0 + timedelta(hours=1)),
                "first_owner": FIRST_OWNER,
                "assignee_id": None,
                "grid_code": None,
                "department_code": "urban",
            },
            reason="城管处理",
            transfers=1,
        )
    )
    await clocks_seen(case_id, lambda c: any(x["kind"] == "ownership" for x in c))

    async def urbans() -> Any:
        answer = await client.get(f"/v1/cases/{case_id}/clocks", headers=URBAN)
        return answer if answer.status_code == 200 else None

    mine = await eventually(urbans)
    theirs = await client.get(f"/v1/cases/{case_id}/clocks", headers=GAS)

    assert "ownership" in {c["kind"] for c in mine.json()}
    assert theirs.status_code == 403
