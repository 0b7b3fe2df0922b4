"""Filters, sort and keyset pages over a seeded set whose answers the test computes."""

import random
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

NOW = datetime.fromisoformat("2026-11-21T01:00:00+00:00")
DISPATCHER = bearer("dp1", "dispatcher", "510302")
GUIHUA_1 = "510302001001001"
GRIDS = ["510302001001001", "510302001001002", "510302001002001", "510302002001001"]
WORDS = ["垃圾满溢", "楼道堆物", "噪音扰民", "路灯不亮", "积水", "water pipe 100%_burst"]
STATUSES = ["triage", "routed", "assigned", "accepted", "resolved", "closed"]


def _seeded_cases(n: int) -> list[dict[str, Any]]:
    rnd = random.Random(12)
    cases: list[dict[str, Any]] = []
    for i in range(n):
        department = rnd.random() < 0.25
        deadline = None
        if rnd.random() < 0.7:
            due = NOW + timedelta(hours=rnd.randint(-5, 40))
            deadline = ("resolution", due, rnd.choice([0, 0, 50, 80]), rnd.random() < 0.1)
        cases.append(
            {
                "status": rnd.choice(STATUSES),
                "channel": rnd.choice(["hotline", "patrol", "wish_wall"]),
                "priority": rnd.choice(["urgent", "normal"]),
                "grid_code": rnd.choice(GRIDS),
                "department_code": "water" if department else None,
                "target": "department" if department else "grid",
                "category_code": rnd.choice(
                    ["environment/garbage-overflow", "utility/water-outage"]
                ),
                "assignee_id": rnd.choice([None, "gm111a", "gm112a"]),
                "content": f"第{i}号 {rnd.choice(WORDS)}",
                "address": rnd.choice([None, "桂花路1号", "滨江大道8号"]),
                "tracking_no": f"GC-20261121-{i:06d}",
                # some share a reported_at, to exercise the id tie-break
                "reported_at": NOW - timedelta(minutes=rnd.randint(0, 20) * 30),
                "updated_at": NOW - timedelta(minutes=rnd.randint(0, 500)),
                "deadline": deadline,
            }
        )
    return cases


def _sla(case: dict[str, Any]) -> str | None:
    if case["deadline"] is None:
        return None
    _clock, due, warned, breached = case["deadline"]
    if breached or due <= NOW:
        return "breached"
    return "red" if warned >= 80 else "yellow" if warned >= 50 else "green"


def _matches(case: dict[str, Any], params: dict[str, Any]) -> bool:
    checks = {
        "status": lambda v: case["status"] in v,
        "target": lambda v: case["target"] == v,
        "area_code": lambda v: case["grid_code"].startswith(v),
        "department_code": lambda v: case["department_code"] == v,
        "category_code": lambda v: case["category_code"] == v,
        "channel": lambda v: case["channel"] == v,
        "priority": lambda v: case["priority"] == v,
        "assignee_id": lambda v: case["assignee_id"] == v,
        "tracking_no": lambda v: case["tracking_no"] == v,
        "q": lambda v: v.lower() in case["content"].lower() or v in (case["address"] or ""),
        "reported_from": lambda v: case["reported_at"] >= datetime.fromisoformat(v),
        "reported_to": lambda v: case["reported_at"] < datetime.fromisoformat(v),
        "sla": lambda v: _sla(case) == v,
    }
    return all(checks[k](v) for k, v in params.items() if k in checks)


def _expected_order(cases: list[dict[str, Any]], sort: str) -> list[str]:
    name = sort.lstrip("-")
    descending = sort.startswith("-")

    def value(c: dict[str, Any]) -> datetime | None:
        if name == "due_at":
            return c["deadline"][1] if c["deadline"] else None
        v: datetime = c[name]
        return v

    with_value = sorted(
        (c for c in cases if value(c) is not None),
        key=lambda c: (value(c), UUID(c["id"])),
        reverse=descending,
    )
    without = sorted(
        (c for c in cases if value(c) is None), key=lambda c: UUID(c["id"]), reverse=descending
    )
    return [c["id"] for c in with_value + without]


@pytest.fixture
async def seeded(seed: Any) -> list[dict[str, Any]]:
    cases = _seeded_cases(60)
    ids = await seed(*cases)
    for case, case_id in zip(cases, ids, strict=True):
        case["id"] = str(case_id)
    return cases


QUERIES: list[dict[str, Any]] = [
    {},
    {"status": ["triage", "routed"]},
    {"target": "department"},
    {"area_code": "510302001"},
    {"area_code": "510302001001002", "priority": "urgent"},
    {"department_code": "water", "channel": "hotline"},
    {"category_code": "utility/water-outage"},
    {"assignee_id": "gm111a"},
    {"tracking_no": "GC-20261121-000007"},
    {"q": "垃圾"},
    {"q": "桂花路"},
    {"q": "100%_b"},
    {"q": "WATER"},
    {"reported_from": "2026-11-20T22:00:00+00:00", "reported_to": "2026-11-21T00:00:00+00:00"},
    {"sla": "breached"},
    {"sla": "red"},
    {"sla": "yellow"},
    {"sla": "green"},
]
SORTS = ["reported_at", "-reported_at", "due_at", "-due_at", "updated_at", "-updated_at"]


async def test_every_filter_and_sort_gives_the_computed_answer(
    search: Any, seeded: list[dict[str, Any]]
) -> None:
    for params in QUERIES:
        for sort in SORTS if params in ({}, {"sla": "green"}) else ["-reported_at", "due_at"]:
            rows, totals = await search(DISPATCHER, **params, sort=sort, limit=7)

            expected = _expected_order([c for c in seeded if _matches(c, params)], sort)
            assert [r["id"] for r in rows] == expected, (params, sort)
            assert totals == {len(expected)}, (params, sort)
    assert any(_matches(c, {"sla": "red"}) for c in seeded)  # the set covers every state


async def test_a_row_carries_names_and_its_deadline(client: Any, seed: Any) -> None:
    due = NOW + timedelta(hours=2)
    [case_id] = await seed(
        {
            "grid_code": "510302001001001",
            "assignee_id": "gm111a",
            "department_code": "water",
            "category_code": "utility/water-outage",
            "deadline": ("sign_for", due, 50, False),
        }
    )

    body = (await client.get("/v1/cases", headers=DISPATCHER)).json()

    [row] = body["items"]
    assert row["id"] == str(case_id)
    assert row["grid_name"] == "桂花社区一网格"
    assert row["community_name"] == "桂花社区"
    assert row["department_name"] == "水务局"
    assert row["category_name"] == "停水"
    assert row["assignee_name"] == "李磊静"
    assert datetime.fromisoformat(row["due_at"]) == due
    assert (row["due_clock"], row["sla"]) == ("sign_for", "yellow")


async def test_pages_stay_whole_while_cases_arrive(search: Any, client: Any, seed: Any) -> None:
    base = [{"reported_at": NOW - timedelta(minutes=i)} for i in range(30)]
    original = {str(i) for i in await seed(*base)}
    first = (await client.get("/v1/cases", params={"limit": 10}, headers=DISPATCHER)).json()
    cursor_time = datetime.fromisoformat(first["items"][-1]["reported_at"])
    # New cases before, at and after where the first page ended.
    await seed(
        {"reported_at": NOW + timedelta(minutes=1)},
        {"reported_at": cursor_time},
        {"reported_at": cursor_time},
        {"reported_at": NOW - timedelta(minutes=15)},
    )

    seen = [r["id"] for r in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = (
            await client.get(
                "/v1/cases", params={"limit": 10, "cursor": cursor}, headers=DISPATCHER
            )
        ).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]

    assert len(seen) == len(set(seen))
    assert original <= set(seen)
    assert first["total"] == 30


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 201},
        {"limit": 0},
        {"sort": "content"},
        {"status": "lost"},
        {"sla": "purple"},
        {"cursor": "not-a-cursor"},
        {"reported_from": "2026-11-21T00:00:00"},
        {"reported_from": "2026-11-22T00:00:00Z", "reported_to": "2026-11-21T00:00:00Z"},
        {"area_code": "5103'; drop table"},
        {"limit": 10**30},
        {"colour": "red"},
        {"q": "井盖\x00"},
        {"tracking_no": "GC-\x00"},
    ],
)
async def test_bad_queries_are_422(client: Any, seed: Any, params: dict[str, Any]) -> None:
    response = await client.get("/v1/cases", params=params, headers=DISPATCHER)
    assert response.status_code == 422, response.text


async def test_a_cursor_of_another_sort_is_422(client: Any, seed: Any) -> None:
    await seed({}, {})
    first = (await client.get("/v1/cases", params={"limit": 1}, headers=DISPATCHER)).json()

    response = await client.get(
        "/v1/cases",
        params={"limit": 1, "cursor": first["next_cursor"], "sort": "due_at"},
        headers=DISPATCHER,
    )

    assert response.status_code == 422
    assert "sort" in response.json()["detail"]


async def test_beyond_ten_thousand_the_total_says_so(client: Any, engine: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO dispatch.cases (id, tracking_no, channel, status, priority, content,"
                " target, grid_code, route_method, route_reason, reported_at, correlation_id,"
                " updated_at, version, evidence, returns, transfers, reopenings, district_code)"
                " SELECT gen_random_uuid(), 'GC-' || i, 'hotline', 'triage', 'normal', 'c',"
                " 'triage', NULL, 's', 's', now(), 'c', now(), 1, '[]', 0, 0, 0, '510302'"
                " FROM generate_series(1, 10001) i"
            )
        )

    many = (await client.get("/v1/cases", params={"limit": 1}, headers=DISPATCHER)).json()
    few = (await client.get("/v1/cases", params={"tracking_no": "GC-7"}, headers=DISPATCHER)).json()
    queues = (await client.get("/v1/queues", headers=DISPATCHER)).json()["items"]

    assert (many["total"], many["total_exact"]) == (10_000, False)
    assert (few["total"], few["total_exact"]) == (1, True)
    counted = {q["key"]: (q["count"], q["count_exact"]) for q in queues}
    assert counted["triage"] == (10_000, False)
    assert counted["awaiting_close"] == (0, True)


async def _cases_saying(engine: Any, content: str, n: int, start: int) -> None:
    """`n` triage cases of the district saying `content`, a minute apart."""
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO dispatch.cases (id, tracking_no, channel, status, priority, content,"
                " target, grid_code, route_method, route_reason, reported_at, correlation_id,"
                " updated_at, version, evidence, returns, transfers, reopenings, district_code)"
                " SELECT gen_random_uuid(), 'GC-W-' || i, 'hotline', 'triage', 'normal',"
                " CAST(:content AS text) || i, 'triage', NULL, 's', 's',"
                " CAST(:now AS timestamptz) - i * interval '1 minute', 'c', :now, 1, '[]',"
                " 0, 0, 0, '510302'"
                " FROM generate_series(CAST(:start AS int), CAST(:end AS int)) i"
            ),
            {"content": content, "now": NOW, "start": start, "end": start + n - 1},
        )


async def test_a_word_search_counts_to_a_thousand_and_still_pages_through_all(
    client: Any, engine: Any
) -> None:
    await _cases_saying(engine, "井盖松动，第", 1000, 1)
    await _cases_saying(engine, "路灯不亮，第", 5, 2000)

    def first(**params: Any) -> Any:
        return client.get("/v1/cases", params={"limit": 10, **params}, headers=DISPATCHER)

    exactly = (await first(q="井盖")).json()
    assert (exactly["total"], exactly["total_exact"]) == (1000, True)

    await _cases_saying(engine, "井盖松动，第", 1, 1001)
    pages, cursor, seen = [], None, []
    while True:
        query = {"q": "井盖", "limit": 200, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/v1/cases", params=query, headers=DISPATCHER)).json()
        pages.append((body["total"], body["total_exact"]))
        seen += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    # Every page says "1,000+"; every match is listed once, newest first.
    assert set(pages) == {(1000, False)}
    assert len(seen) == len({r["id"] for r in seen}) == 1001
    assert [r["tracking_no"] for r in seen] == [f"GC-W-{i}" for i in range(1, 1002)]
    # Without words the cap is 10,000 again; a rare word is counted exactly.
    everything = (await first()).json()
    assert (everything["total"], everything["total_exact"]) == (1006, True)
    rare = (await first(q="路灯")).json()
    assert (rare["total"], rare["total_exact"]) == (5, True)
    # Words of Latin letters match either case (ILIKE); Chinese words exactly the same
    # rows with LIKE as ILIKE would give.
    await _cases_saying(engine, "Water PIPE burst ", 3, 3000)
    assert (await first(q="water pipe")).json()["total"] == 3
    assert (await first(q="松动，第100")).json()["total"] == 3  # 100, 1000 and 1001


async def test_the_community_is_named_when_the_case_names_only_its_grid(
    client: Any, seed: Any, engine: Any
) -> None:
    odd_grid = "５１０３０２００１００１００１"  # chained, in fullwidth digits
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO dispatch.areas (code, name, level, parent_code)"
                " VALUES (:c, '全角社区', 'community', '510302001')"
            ),
            {"c": odd_grid[:12]},
        )
    await seed(
        {"grid_code": GUIHUA_1, "community_code": None, "reported_at": NOW},
        {"grid_code": odd_grid, "community_code": None, "reported_at": NOW - timedelta(hours=1)},
        {"grid_code": "G-7", "community_code": None, "reported_at": NOW - timedelta(hours=2)},
    )
    admin = bearer("admin1", "admin", None)

    rows = (await client.get("/v1/cases", headers=admin)).json()["items"]

    assert [(r["community_code"], r["community_name"]) for r in rows] == [
        (GUIHUA_1[:12], "桂花社区"),
        (odd_grid[:12], "全角社区"),
        (None, None),
    ]
    assert rows[0]["grid_name"] == "桂花社区一网格"
