"""``view=card``: the grid member's task list reads the search as lean cards — the same
cases, order, pages and total as the full rows, in exactly the caller's scope, with only
the fields a card shows; an unknown view is refused."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from gridcase_events.testing import bearer

from .test_scope import EXPECTED, PRINCIPALS

pytestmark = pytest.mark.integration

NOW = datetime.fromisoformat("2026-11-21T01:00:00+00:00")
GUIHUA_1 = "510302001001001"
GRID_MEMBER = bearer("gm111a", "grid_member", GUIHUA_1)
CARD_FIELDS = {
    "id",
    "tracking_no",
    "status",
    "summary",
    "address",
    "lat",
    "lon",
    "reported_at",
    "due_at",
    "sla",
}


async def _pages(client: Any, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every page, following next_cursor; each page's body."""
    bodies: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/cases", params=query, headers=headers)
        assert response.status_code == 200, response.text
        bodies.append(response.json())
        cursor = bodies[-1]["next_cursor"]
        if cursor is None:
            return bodies
    raise AssertionError("paging never ended")


async def test_a_card_carries_only_what_the_card_shows_in_the_full_rows_order(
    client: Any, seed: Any
) -> None:
    await seed(
        *(
            {
                "assignee_id": "gm111a",
                "status": ("assigned", "accepted", "suspended")[i % 3],
                "content": f"桂花路{i}号楼下垃圾桶满溢，" + "气味很大。" * 30,
                "address": f"桂花路{i}号",
                "lat": 29.355 + i * 1e-4,
                "lon": 104.7725,
                "reported_at": NOW - timedelta(hours=i),
                "deadline": ("resolution", NOW + timedelta(hours=24 - 5 * i), 0, i == 6),
            }
            for i in range(7)
        ),
        {"assignee_id": "gm111b", "content": "另一个人的案件"},
    )
    mine = {
        "assignee_id": "gm111a",
        "status": ["assigned", "accepted", "suspended"],
        "sort": "due_at",
        "limit": 3,
    }

    full = await _pages(client, GRID_MEMBER, **mine)
    cards = await _pages(client, GRID_MEMBER, **mine, view="card")

    assert [len(page["items"]) for page in cards] == [3, 3, 1]
    assert {page["total"] for page in cards} == {7}
    rows = [row for page in full for row in page["items"]]
    got = [card for page in cards for card in page["items"]]
    assert all(set(card) == CARD_FIELDS for card in got)
    # The same cases in the same order, each card the row's own fields.
    assert got == [{field: row[field] for field in CARD_FIELDS} for row in rows]
    assert got[0]["sla"] == "breached"  # the earliest deadline, passed
    assert len(got[0]["summary"]) == 100


async def test_the_cards_show_exactly_what_the_full_list_would(client: Any, seed: Any) -> None:
    from .test_scope import CASES

    ids = await seed(*CASES.values())
    by_id = {str(case_id): name for name, case_id in zip(CASES, ids, strict=True)}
    for who, claims in PRINCIPALS.items():
        headers = bearer(*claims)

        cards = await _pages(client, headers, view="card", limit=4)

        seen = [by_id[card["id"]] for page in cards for card in page["items"]]
        assert sorted(seen) == sorted(EXPECTED[who]), who
        assert {page["total"] for page in cards} == {len(EXPECTED[who])}, who


@pytest.mark.parametrize("view", ["cards", "", "FULL", "summary"])
async def test_an_unknown_view_is_refused(client: Any, view: str) -> None:
    response = await client.get("/v1/cases", params={"view": view}, headers=GRID_MEMBER)

    assert response.status_code == 422, response.text
    assert "view" in response.text


async def test_the_export_and_the_map_take_no_view(client: Any) -> None:
    for path in ("/v1/cases.csv", "/v1/cases.geojson"):
        response = await client.get(path, params={"view": "card"}, headers=GRID_MEMBER)
        assert response.status_code == 422, path
