"""What a new push costs the database: one statement finds its category and takes its
merge locks, one searches for the open case it duplicates and, when there is none,
stores the case with its event (docs/benchmarks.md, "the hotline push alone"); a push
near an open case stores itself in a third. Each round trip is a share of the push's
time under load, so a change that adds one shows here."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

pytestmark = pytest.mark.integration


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """The first line of every statement any engine of this process sends meanwhile."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split())[:60])

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def _of_the_push(seen: list[str]) -> list[str]:
    """The statements a push makes (the relay's and consumers' set aside)."""
    shapes = (
        "WITH hit AS",
        "SELECT intake.categories",
        "SELECT pg_advisory_xact_lock",
        "SELECT intake.cases.id",
        "INSERT INTO intake.cases",
        "INSERT INTO intake.outbox",
        "WITH new_case AS",
        "WITH candidates AS",
    )
    return [
        next(s for s in shapes if line.startswith(s)) for line in seen if line.startswith(shapes)
    ]


async def test_a_new_push_that_can_merge_takes_two_statements(
    push: Any, ticket: Any, statements: list[str]
) -> None:
    assert (await push(ticket(ticket_no="RT-1"))).status_code == 201
    statements.clear()

    far = ticket(ticket_no="RT-2", lat=29.40, lon=104.80, address="示范区西城街道樟树路8号")
    response = await push(far)

    assert response.status_code == 201
    assert "merged_into" not in response.json()
    assert _of_the_push(statements) == [
        "WITH hit AS",  # the category, and the merge locks of its places
        "WITH candidates AS",  # no open case it may duplicate: the case and its event
    ]


async def test_a_second_report_of_the_spot_still_merges_with_as_many(
    push: Any, ticket: Any, statements: list[str]
) -> None:
    first = (await push(ticket(ticket_no="RT-3"))).json()
    statements.clear()

    response = await push(ticket(ticket_no="RT-4"))

    assert response.status_code == 201
    assert response.json()["merged_into"] == first["tracking_no"]
    assert _of_the_push(statements) == ["WITH hit AS", "WITH candidates AS", "WITH new_case AS"]


async def test_a_push_near_an_open_case_but_beyond_the_merge_distance_is_a_case_of_its_own(
    push: Any, ticket: Any, statements: list[str], db: Any
) -> None:
    """The search's box holds the open case (it is within the distance north and east,
    not diagonally), so the case is not stored with the search: the merge rules find no
    match, and the push stores a case of its own, with its event, once."""
    first = (await push(ticket(ticket_no="RT-5", address="示范区东城街道桂花路1号1栋"))).json()
    statements.clear()
    # ~90 m north and ~90 m east of the first: ~127 m away, over the 100 m distance.
    corner = ticket(
        ticket_no="RT-6", lat=29.355 + 0.00081, lon=104.7725 + 0.00093, address="示范区桂花路9号"
    )

    response = await push(corner)

    assert response.status_code == 201
    assert "merged_into" not in response.json()
    assert response.json()["tracking_no"] != first["tracking_no"]
    assert _of_the_push(statements) == ["WITH hit AS", "WITH candidates AS", "WITH new_case AS"]
    async with db.connect() as conn:
        stored = (
            await conn.execute(
                text(
                    "SELECT c.status, c.duplicate_of, count(o.event_id) AS events"
                    " FROM intake.cases c LEFT JOIN intake.outbox o ON o.key = c.id::text"
                    " WHERE c.external_ref = 'RT-6' GROUP BY c.status, c.duplicate_of"
                )
            )
        ).all()
    assert [tuple(row) for row in stored] == [("reported", None, 1)]
