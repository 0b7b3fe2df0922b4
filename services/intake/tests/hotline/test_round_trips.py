"""What a new push costs the database: one statement finds its category and takes its
merge locks, one searches for the open case it duplicates, one stores it with its event
(docs/benchmarks.md, "the hotline push alone"). Each round trip is a share of the
push's time under load, so a change that adds one shows here."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
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
    )
    return [
        next(s for s in shapes if line.startswith(s)) for line in seen if line.startswith(shapes)
    ]


async def test_a_new_push_that_can_merge_takes_three_statements(
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
        "SELECT intake.cases.id",  # the open cases it may duplicate
        "WITH new_case AS",  # the case and its case.reported, in one statement
    ]


async def test_a_second_report_of_the_spot_still_merges_with_as_many(
    push: Any, ticket: Any, statements: list[str]
) -> None:
    first = (await push(ticket(ticket_no="RT-3"))).json()
    statements.clear()

    response = await push(ticket(ticket_no="RT-4"))

    assert response.status_code == 201
    assert response.json()["merged_into"] == first["tracking_no"]
    assert len(_of_the_push(statements)) == 3
