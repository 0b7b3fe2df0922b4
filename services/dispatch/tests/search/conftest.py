"""Seeding for the search tests: cases written straight into dispatch's tables (many of
them, in every shape, fast), after the real service has migrated its database."""

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from dispatch.deadlines.models import CaseDeadline
from dispatch.workflow.models import Case

NOW = datetime.fromisoformat("2026-11-21T01:00:00+00:00")
GUIHUA_1 = "510302001001001"


@pytest.fixture
async def engine(demo_city: Any, fresh_database: str) -> AsyncIterator[AsyncEngine]:
    e = create_async_engine(fresh_database)
    yield e
    await e.dispose()


def case_values(**fields: Any) -> dict[str, Any]:
    """A case row with sensible defaults: a grid case in 桂花社区一网格, assigned."""
    case_id = fields.pop("id", None) or uuid4()
    grid = fields.get("grid_code", GUIHUA_1)
    values: dict[str, Any] = {
        "id": case_id,
        "tracking_no": f"GC-T-{str(case_id)[:8]}",
        "channel": "hotline",
        "external_ref": None,
        "status": "assigned",
        "category_code": "environment/garbage-overflow",
        "priority": "normal",
        "content": "垃圾满溢",
        "address": None,
        "lat": None,
        "lon": None,
        "target": "grid",
        "grid_code": grid,
        "community_code": grid[:12] if grid else None,
        "department_code": None,
        # The district it fell in: its grid's, else the demo district.
        "district_code": (grid or "510302")[:6],
        "route_method": "gazetteer",
        "route_reason": "seeded",
        "assignee_id": None,
        "assignee_post": None,
        "reported_at": NOW,
        "correlation_id": f"corr-{case_id}",
        "updated_at": NOW,
        "version": 1,
        "evidence": [],
        "returns": 0,
        "transfers": 0,
        "reopenings": 0,
    }
    values.update(fields)
    return values


@pytest.fixture
def seed(engine: AsyncEngine) -> Callable[..., Any]:
    """Writes cases (dicts of :func:`case_values` fields, plus an optional ``deadline``:
    ``(clock, due_at, warned_percent, breached)``); returns their ids in order."""

    async def write(*cases: dict[str, Any]) -> list[UUID]:
        ids: list[UUID] = []
        async with engine.begin() as conn:
            for fields in cases:
                fields = dict(fields)
                deadline = fields.pop("deadline", None)
                values = case_values(**fields)
                await conn.execute(Case.__table__.insert().values(**values))
                if deadline is not None:
                    clock, due_at, warned, breached = deadline
                    await conn.execute(
                        CaseDeadline.__table__.insert().values(
                            case_id=values["id"],
                            clock=clock,
                            started_at=values["reported_at"],
                            due_at=due_at,
                            warned_percent=warned,
                            breached=breached,
                        )
                    )
                ids.append(values["id"])
        return ids

    return write


@pytest.fixture
def search(client: Any) -> Callable[..., Any]:
    """Every page of a search, following next_cursor; returns (rows, totals)."""

    async def all_pages(
        headers: dict[str, str], **params: Any
    ) -> tuple[list[dict[str, Any]], set[int]]:
        rows: list[dict[str, Any]] = []
        totals: set[int] = set()
        cursor = None
        for _ in range(1000):
            query = {**params, **({"cursor": cursor} if cursor else {})}
            response = await client.get("/v1/cases", params=query, headers=headers)
            assert response.status_code == 200, response.text
            body = response.json()
            rows += body["items"]
            totals.add(body["total"])
            cursor = body["next_cursor"]
            if cursor is None:
                return rows, totals
        raise AssertionError("paging never ended")

    return all_pages
