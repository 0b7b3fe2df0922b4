"""How fast the operators' case search answers over many cases.

    .venv/bin/python bench/case_search.py [cases]        (default 1,000,000)
    .venv/bin/python bench/case_search.py --keep [cases] (keep the seeded database)
    .venv/bin/python bench/case_search.py --reuse NAME   (time a kept one again)

Creates a scratch database, migrates dispatch's schema into it, imports a district of
10 streets × 10 communities × 10 grids (1,000 grids) with its staff, departments and
categories, then seeds N cases with SQL (generate_series): every status, channel and
priority, 70% in grids, 20% with departments, 5% in triage, all in the district (a
case without an area is walled by the district it was reported in), Chinese content and
addresses, and a running deadline on the open ones, then VACUUM ANALYZE (what
autovacuum does to a table after a bulk load; index-only scans depend on it). It then
runs the typical searches of each role through dispatch's search service (the SQL, the
names and the count that GET /v1/cases answers with; HTTP excluded), 100 times each after
one warm-up, and prints p50, p95 and p99 per search, and the indexes the plans of its
page and its count use (EXPLAIN of the statements the search sent). The load average
before and after is printed too: the figures mean little without it on a shared
machine. The scratch database is dropped afterwards, unless `--keep` is given: then its
name is printed, and `--reuse NAME` times it again without seeding (after migrating it
to the current schema and analysing it; seeding a million cases takes minutes), and
keeps it. Drop a kept one with `DROP DATABASE`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from dispatch import models  # noqa: F401 - every table
from dispatch.db import schema
from dispatch.search import service
from dispatch.search.schemas import CaseQuery
from gridcase_events.kit.auth import Principal
from gridcase_events.kit.db import create_engine, upgrade
from gridcase_events.kit.settings import DEFAULT_DATABASE_URL

NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
RUNS = int(os.environ.get("BENCH_RUNS", "100"))

SEED_AREAS = """
INSERT INTO dispatch.areas (code, name, level, parent_code)
SELECT '510302', '示范区', 'district', NULL
UNION ALL SELECT '510302' || lpad(s::text, 3, '0'), '街道' || s, 'street', '510302'
  FROM generate_series(1, 10) s
UNION ALL SELECT '510302' || lpad(s::text, 3, '0') || lpad(c::text, 3, '0'), '社区' || s || '-' || c,
  'community', '510302' || lpad(s::text, 3, '0')
  FROM generate_series(1, 10) s, generate_series(1, 10) c
UNION ALL SELECT '510302' || lpad(s::text, 3, '0') || lpad(c::text, 3, '0') || lpad(g::text, 3, '0'),
  '网格' || s || '-' || c || '-' || g, 'grid', '510302' || lpad(s::text, 3, '0') || lpad(c::text, 3, '0')
  FROM generate_series(1, 10) s, generate_series(1, 10) c, generate_series(1, 10) g;
INSERT INTO dispatch.departments (code, name) VALUES
  ('urban', '城管局'), ('water', '水务局'), ('power', '供电公司'), ('police', '派出所');
INSERT INTO dispatch.categories (code, name, handler, department_code, priority) VALUES
  ('environment/garbage-overflow', '垃圾满溢', 'grid', NULL, 'normal'),
  ('neighbour/noise-dispute', '邻里噪音纠纷', 'grid', NULL, 'normal'),
  ('utility/water-outage', '停水', 'department', 'water', 'urgent'),
  ('order/illegal-parking', '违章停车', 'department', 'urban', 'normal');
INSERT INTO dispatch.staff (staff_id, name, phone_enc, phone_masked, role, area_code, post)
SELECT 'gm' || code, '网格员' || code, 'x', '138****0000', 'grid_member', code, 'A'
  FROM dispatch.areas WHERE level = 'grid';
"""

# One statement; random() per row. Grid i of 1,000; ~5% triage, ~20% department.
SEED_CASES = """
WITH g AS (
  SELECT array_agg(code ORDER BY code) AS grids FROM dispatch.areas WHERE level = 'grid'
), src AS (
  SELECT i, random() AS r, random() AS r2, floor(random() * 1000)::int + 1 AS gi,
         (ARRAY['triage','routed','assigned','accepted','suspended','resolved','closed',
                'evaluated','closed','evaluated','closed','evaluated'])[floor(random()*12)::int + 1]
           AS status
  FROM generate_series(1, $1) i
)
INSERT INTO dispatch.cases (id, tracking_no, channel, status, category_code, priority, content,
  address, lat, lon, target, grid_code, community_code, department_code, district_code,
  route_method, route_reason, assignee_id, reported_at, correlation_id, updated_at, version,
  evidence, returns, transfers, reopenings)
SELECT gen_random_uuid(),
  'GC-' || to_char($2::timestamptz - (i || ' minutes')::interval, 'YYYYMMDD') || '-' || lpad(i::text, 7, '0'),
  (ARRAY['hotline','wish_wall','patrol','visit','open311'])[floor(r2*5)::int + 1],
  CASE WHEN r < 0.05 THEN 'triage' ELSE status END,
  CASE WHEN r < 0.25 THEN 'utility/water-outage' ELSE 'environment/garbage-overflow' END,
  CASE WHEN r2 < 0.1 THEN 'urgent' ELSE 'normal' END,
  (ARRAY['小区楼下垃圾桶满溢','楼道堆放杂物','深夜装修噪音扰民','路灯不亮','井盖松动',
         '污水管道堵塞','违章停车堵塞消防通道','老人独居需要帮扶','停水两天了','广告牌破损'])
    [floor(r2*10)::int + 1] || '，' || i || '号反映，请尽快处理',
  '某某路' || (i % 500) || '号' || (i % 30) || '栋',
  29.3 + r * 0.1, 104.7 + r2 * 0.1,
  CASE WHEN r < 0.05 THEN 'triage' WHEN r < 0.25 THEN 'department' ELSE 'grid' END,
  CASE WHEN r < 0.05 OR (r >= 0.05 AND r < 0.25) THEN NULL ELSE g.grids[gi] END,
  CASE WHEN r < 0.25 THEN NULL ELSE left(g.grids[gi], 12) END,
  CASE WHEN r >= 0.05 AND r < 0.25 THEN (ARRAY['water','urban','power','police'])[floor(r2*4)::int + 1] END,
  '510302', 'bench', 'bench',
  CASE WHEN r >= 0.25 AND status <> 'triage' AND status <> 'routed' THEN 'gm' || g.grids[gi] END,
  $2::timestamptz - (i || ' minutes')::interval, 'bench',
  $2::timestamptz - (i || ' minutes')::interval + interval '1 hour', 1, '[]', 0, 0, 0
FROM src, g
"""

SEED_DEADLINES = """
INSERT INTO dispatch.case_deadlines (case_id, clock, started_at, due_at, warned_percent, breached)
SELECT id, CASE WHEN status = 'assigned' THEN 'sign_for' ELSE 'resolution' END, reported_at,
  reported_at + (floor(random() * 14) || ' days')::interval,
  (ARRAY[0, 0, 0, 50, 80])[floor(random()*5)::int + 1], random() < 0.05
FROM dispatch.cases WHERE status IN ('triage', 'routed', 'assigned', 'accepted')
"""


def principal(sub: str, role: str, area: str | None = None, dept: str | None = None) -> Principal:
    return Principal(sub=sub, role=role, area_code=area, department_code=dept)


DISPATCHER = principal("dp1", "dispatcher", "510302")
# the 4,321st case: reported 4,321 minutes before NOW
TRACKING_NO = f"GC-{(NOW - timedelta(minutes=4321)).strftime('%Y%m%d')}-0004321"
GRID = "510302005005005"
SEARCHES: list[tuple[str, Principal, dict[str, Any]]] = [
    ("dispatcher: 待派 triage, newest first", DISPATCHER, {"status": ["triage"]}),
    ("dispatcher: everything, newest first", DISPATCHER, {}),
    ("dispatcher: by tracking number", DISPATCHER, {"tracking_no": TRACKING_NO}),
    ("dispatcher: words (井盖松动), newest first", DISPATCHER, {"q": "井盖松动"}),
    ("dispatcher: words (某某路123号), newest first", DISPATCHER, {"q": "某某路123号"}),
    ("dispatcher: breached, by due time", DISPATCHER, {"sla": "breached", "sort": "due_at"}),
    (
        "dispatcher: open in a street, by due time",
        DISPATCHER,
        {"area_code": "510302003", "status": ["assigned", "accepted"], "sort": "due_at"},
    ),
    (
        "station master: community's open cases",
        principal("sm1", "station_master", GRID[:12]),
        {"status": ["routed", "assigned", "accepted", "suspended"]},
    ),
    (
        "grid member: own grid, by due time",
        principal("gm", "grid_member", GRID),
        {"sort": "due_at"},
    ),
    (
        "department operator: 待认领 unclaimed",
        principal("w1", "department_operator", None, "water"),
        {"status": ["routed"]},
    ),
]


async def timed(run: Callable[[], Awaitable[Any]]) -> list[float]:
    await run()  # warm the caches once
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(times: list[float], p: float) -> float:
    """Nearest rank: the smallest time that `p` of the runs did not exceed."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def _indexes(plan: dict[str, Any]) -> list[str]:
    """The indexes (and sequential scans of cases) in a plan, in plan order; parts the
    execution never reached are left out."""
    if plan.get("Actual Loops") == 0:
        return []
    found = []
    if "Index Name" in plan:
        kind = "only" if plan["Node Type"] == "Index Only Scan" else plan["Node Type"].split()[0]
        found.append(f"{plan['Index Name']} ({kind.lower()})")
    elif plan["Node Type"] == "Seq Scan":
        found.append(f"seq scan of {plan['Relation Name']}")
    for child in plan.get("Plans", []):
        found += _indexes(child)
    return found


def _parts(plan: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A search's statement split into its page and its count: the page and the count of
    one statement are its CTE and its counting init plan (``search_total``)."""
    parts: list[tuple[str, dict[str, Any]]] = []
    for child in plan.get("Plans", []):
        name = child.get("Subplan Name", "")
        if name.startswith("CTE"):
            parts.append(("page", child))
        elif name.startswith("InitPlan") and not _reads_cte(child) and child["Actual Loops"]:
            parts.append(("count", child))
    return parts


def _reads_cte(plan: dict[str, Any]) -> bool:
    return plan["Node Type"] == "CTE Scan" or any(_reads_cte(c) for c in plan.get("Plans", []))


async def plans(engine: AsyncEngine, run: Callable[[], Awaitable[Any]]) -> str:
    """Runs the search once more, noting the statements it sends over ``cases``, then
    runs each again under EXPLAIN ANALYZE with the same parameters and plan mode
    ("page: …; count: …")."""
    sent: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith(("SELECT", "WITH")) and "FROM dispatch.cases" in statement:
            sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        await run()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)
    parts = []
    async with engine.connect() as conn:
        await conn.exec_driver_sql("SET plan_cache_mode = force_custom_plan")
        for statement, parameters in sent:
            result = await conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters
            )
            raw = result.scalar_one()
            plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
            split = _parts(plan) or [("count" if "count(" in statement else "page", plan)]
            for part, sub in split:
                parts.append(f"{part}: {', '.join(_indexes(sub)) or '-'}")
    return "; ".join(parts)


async def main(n: int, *, keep: bool, reuse: str | None) -> None:
    base = make_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    name = reuse or f"gridcase_bench_{secrets.token_hex(4)}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    if reuse is None:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        await upgrade(engine, schema=schema.name, script_location=schema.migrations)
        raw = await asyncpg.connect(
            base.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
        )
        started = time.perf_counter()
        if reuse is None:
            await raw.execute(SEED_AREAS)
            await raw.execute(SEED_CASES, n, NOW)
            await raw.execute(SEED_DEADLINES)
        await raw.execute("VACUUM ANALYZE")
        n = await raw.fetchval("SELECT count(*) FROM dispatch.cases")
        seeded = time.perf_counter() - started
        await raw.close()
        verb = "reused" if reuse else "seeded"
        print(f"{verb} {n:,} cases in {seeded:.0f} s (indexes included) in database {name}")
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"{'search':58} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'total':>9}  plan")
        for title, who, params in SEARCHES:
            query = CaseQuery.model_validate(params)
            total, exact = 0, True

            async def run(who: Principal = who, query: CaseQuery = query) -> None:
                nonlocal total, exact
                async with sessionmaker() as session:
                    page = await service.search(
                        session=session, principal=who, query=query, now=NOW
                    )
                    total, exact = page.total, page.total_exact

            times = await timed(run)
            used = await plans(engine, run)
            shown = f"{total:,}" + ("" if exact else "+")
            print(
                f"{title:58} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f}"
                f" {percentile(times, 0.99):8.1f} {shown:>9}  {used}",
                flush=True,
            )
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"python {sys.version.split()[0]}, {platform.platform()}, {os.cpu_count()} CPUs")
    finally:
        await engine.dispose()
        if keep or reuse:
            print(f"kept database {name} (again: --reuse {name})")
        else:
            conn = await asyncpg.connect(admin)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument("--reuse", metavar="NAME", help="time a kept database, no seeding")
    args = parser.parse_args()
    asyncio.run(main(args.cases, keep=args.keep, reuse=args.reuse))
