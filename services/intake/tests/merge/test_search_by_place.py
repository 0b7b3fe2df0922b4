"""The merge search looks for a duplicate where the report is, not through the whole
category: in a burst of one category (a water main) the thousandth push must not read
the 999 before it. The search runs as intake runs it (``repository.open_candidates``);
PostgreSQL's own account of it (EXPLAIN ANALYZE of the very statement and parameters
sent) says how many cases it read. Against the real database."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from intake.cases import repository
from intake.cases import service as case_service
from intake.hotline.endpoints import to_report
from intake.hotline.schemas import TicketIn
from intake.merge.service import normalize_category

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
CATEGORY = "water/main-burst"
OTHER = "environment/garbage-overflow"
SIDE = 60  # a 60 × 60 lattice: 3,600 open cases of the burst's category
STEP_LAT, STEP_LON = 0.00135, 0.00156  # about 150 m apart, as the burst's spots


@pytest.fixture
def sent(db: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """The statements sent meanwhile, with their parameters as the driver got them."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(db.sync_engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.sync_engine, "before_cursor_execute", note)


async def _burst(db: AsyncEngine) -> None:
    """A burst's open cases of one category on a lattice, each with its own address,
    reported over the last hour, and as many of another category on the same spots.
    The table is not analyzed (a new district's, or a burst before autovacuum gets to
    it): plans are made with the planner's default estimates, which know nothing of the
    burst."""
    await _lattice(db, 0, SIDE * SIDE)


async def _lattice(db: AsyncEngine, start: int, stop: int) -> None:
    async with db.begin() as conn:
        for category, prefix in ((CATEGORY, "W"), (OTHER, "G")):
            await conn.execute(
                text(
                    "INSERT INTO intake.cases (id, tracking_no, channel, content, priority,"
                    " lat, lon, attachments, reported_at, correlation_id, status,"
                    " status_version, status_changed_at, category_hint, category_norm,"
                    " address_norm)"
                    " SELECT gen_random_uuid(), :prefix || g, 'hotline', '水管爆裂', 'normal',"
                    " 30.0 + (g / CAST(:side AS int)) * CAST(:dlat AS float8),"
                    " 120.0 + (g % CAST(:side AS int)) * CAST(:dlon AS float8), '[]',"
                    " CAST(:at AS timestamptz) - make_interval(secs => g), 'c-' || g,"
                    " 'assigned', 1, CAST(:at AS timestamptz),"
                    " :category, :norm, '桂花路' || g || '号'"
                    " FROM generate_series(CAST(:start AS int), CAST(:stop AS int) - 1) AS g"
                ),
                {
                    "prefix": prefix,
                    "side": SIDE,
                    "dlat": STEP_LAT,
                    "dlon": STEP_LON,
                    "at": AT,
                    "category": category,
                    "norm": normalize_category(category),
                    "start": start,
                    "stop": stop,
                },
            )


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


async def _explained(
    db: AsyncEngine, statement: str, parameters: Any, plan: str
) -> list[dict[str, Any]]:
    async with db.connect() as conn:
        # A connection of the pool runs its prepared statements with the generic plan
        # after five executions, if PostgreSQL deems it no worse: the search must read
        # only the cases near it with either plan.
        await conn.exec_driver_sql(f"SET plan_cache_mode = {plan}")
        result = await conn.exec_driver_sql(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, tuple(parameters)
        )
        document = result.scalar_one()
    plans = json.loads(document) if isinstance(document, str) else document
    return list(_nodes(plans[0]["Plan"]))


async def _search(
    db: AsyncEngine,
    sent: list[tuple[str, Any]],
    *,
    near: tuple[float, float] | None,
    address: str,
    plan: str,
) -> tuple[list[repository.OpenCase], list[dict[str, Any]]]:
    sent.clear()
    async with AsyncSession(db) as session:
        found = await repository.open_candidates(
            session,
            category_norm=normalize_category(CATEGORY) or "",
            since=AT - timedelta(days=3),
            until=AT,
            near=None if near is None else (*near, 100.0),
            address_norm=address,
        )
    [(statement, parameters)] = [
        (s, p) for s, p in sent if "FROM intake.cases" in s and not s.startswith("EXPLAIN")
    ]
    return found, await _explained(db, statement, parameters, plan)


def _read(nodes: list[dict[str, Any]]) -> int:
    """How many cases the plan's scans of intake.cases returned to it."""
    return sum(
        node["Actual Rows"] * node.get("Actual Loops", 1)
        for node in nodes
        if node.get("Relation Name") == "cases" or node["Node Type"] == "Bitmap Index Scan"
    )


PLANS = pytest.mark.parametrize("plan", ["force_custom_plan", "force_generic_plan"])


@PLANS
async def test_a_point_reads_the_cases_near_it_not_the_category(
    db: AsyncEngine, sent: list[tuple[str, Any]], plan: str
) -> None:
    await _burst(db)
    row, column = 30, 17
    spot = (30.0 + row * STEP_LAT, 120.0 + column * STEP_LON)

    found, nodes = await _search(db, sent, near=spot, address="别处1号", plan=plan)

    assert [case.tracking_no for case in found] == [f"W{row * SIDE + column}"]
    assert not [node for node in nodes if node["Node Type"] == "Seq Scan"], nodes
    # The case at the spot, give or take the index's neighbours: not 3,600 of the
    # category, nor 7,200 of the table.
    assert _read(nodes) <= 20, nodes


@PLANS
async def test_an_address_alone_reads_that_address(
    db: AsyncEngine, sent: list[tuple[str, Any]], plan: str
) -> None:
    await _burst(db)

    found, nodes = await _search(db, sent, near=None, address="桂花路1234号", plan=plan)

    assert [case.tracking_no for case in found] == ["W1234"]
    assert not [node for node in nodes if node["Node Type"] == "Seq Scan"], nodes
    assert _read(nodes) <= 5, nodes


@PLANS
async def test_a_new_push_searches_and_stores_reading_only_the_cases_near_it(
    intake: Any, ticket: Any, db: AsyncEngine, plan: str
) -> None:
    """The push's own statement (the search and, finding nothing, the new case and its
    event), as a real push sends it; explained in a transaction rolled back after."""
    await _burst(db)
    runtime = intake.app.state.runtime
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("WITH candidates AS"):
            seen.append((statement, parameters))

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", note)
    try:
        body = ticket(
            ticket_no="12345-20261129-9999",
            category_hint=CATEGORY,
            lat=30.0 + 70 * STEP_LAT,  # past the lattice's last row: nothing near
            lon=120.0 + 17 * STEP_LON,
            address="梧桐路1号",
        )
        async with runtime.transaction() as session:
            _, created = await case_service.report(
                session=session,
                runtime=runtime,
                report=to_report(TicketIn.model_validate(body)),
                correlation_id="search-plan",
            )
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", note)
    assert created
    [(statement, parameters)] = seen

    async with db.connect() as conn:  # autobegun: rolled back when it closes
        await conn.exec_driver_sql(f"SET LOCAL plan_cache_mode = {plan}")
        result = await conn.exec_driver_sql(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, tuple(parameters)
        )
        document = result.scalar_one()
    plans = json.loads(document) if isinstance(document, str) else document
    nodes = list(_nodes(plans[0]["Plan"]))

    assert not [node for node in nodes if node["Node Type"] == "Seq Scan"], nodes
    assert _read(nodes) <= 20, nodes


@pytest.mark.parametrize("lock", ["category_and_places", "keys"])
async def test_after_the_merge_locks_the_transaction_plans_each_search_anew(
    db: AsyncEngine, lock: str
) -> None:
    """A pool's connection may run a prepared statement with a plan made once for any
    values (the generic plan). After either merge lock statement, the transaction plans
    with the report's own values; the connection's next transaction is as before."""
    async with AsyncSession(db) as session:
        async with session.begin():
            before = (await session.execute(text("SHOW plan_cache_mode"))).scalar_one()
            if lock == "keys":
                await repository.lock_for_merge(session, ["water|cell-1"])
            else:
                await repository.category_locking_places(
                    session, hint=CATEGORY, loose="", fallback=CATEGORY, places=["|cell-1"]
                )
            during = (await session.execute(text("SHOW plan_cache_mode"))).scalar_one()
        after = (await session.execute(text("SHOW plan_cache_mode"))).scalar_one()

    assert (before, during, after) == ("auto", "force_custom_plan", "auto")
