"""Input at the edges of what the columns and the date arithmetic can hold: a precise
answer, never a 500 (and never a whole batch lost to one ticket)."""

from typing import Any

import pytest
from sqlalchemy import text

pytestmark = pytest.mark.integration

# Each letter folds (NFKC) into several: "ﷺ" into 18, "㍿" into 4.
LONG_HINTS = ["ﷺ" * 100, "㍿" * 100]


async def _cases(db: Any) -> list[dict[str, Any]]:
    async with db.connect() as conn:
        rows = await conn.execute(
            text("SELECT external_ref, category_norm, address_norm FROM intake.cases")
        )
        return [dict(r) for r in rows.mappings()]


@pytest.mark.parametrize("letters", LONG_HINTS, ids=["ligature", "square-era"])
async def test_a_hint_and_an_address_that_lengthen_when_folded_are_accepted(
    push: Any, ticket: Any, db: Any, letters: str
) -> None:
    response = await push(ticket(category_hint=letters, address=letters * 3))

    assert response.status_code == 201, response.text
    (case,) = await _cases(db)
    assert len(case["category_norm"]) == 100
    assert len(case["address_norm"]) == 300


async def test_one_lengthening_ticket_does_not_sink_its_batch(
    push_batch: Any, ticket: Any, db: Any
) -> None:
    tickets = [
        ticket(ticket_no="L-1", category_hint="environment/garbage-overflow"),
        ticket(ticket_no="L-2", category_hint="ﷺ" * 100, address="ﷺ" * 300, lat=29.365),
        ticket(ticket_no="L-3", category_hint="㍿" * 100, address="㍿" * 300, lat=29.36),
    ]

    response = await push_batch(tickets)

    assert response.status_code == 207, response.text
    assert [r["result"] for r in response.json()["results"]] == ["created"] * 3
    assert sorted(c["external_ref"] for c in await _cases(db)) == ["L-1", "L-2", "L-3"]


@pytest.mark.parametrize(
    "received_at",
    ["9999-12-31T23:00:00Z", "0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2026-11-23T00:00Z"],
)
async def test_a_received_at_out_of_range_is_422(
    push: Any, push_batch: Any, ticket: Any, db: Any, received_at: str
) -> None:
    response = await push(ticket(received_at=received_at))

    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "received_at"]
    assert error["type"] == "received_at_out_of_range"
    assert "2000-01-01" in error["msg"]

    batch = await push_batch([ticket(ticket_no="R-1", received_at=received_at)])
    assert batch.status_code == 207
    assert batch.json()["results"][0]["result"] == "invalid"
    assert await _cases(db) == []


async def test_a_received_at_a_little_ahead_of_the_clock_is_accepted(
    push: Any, ticket: Any
) -> None:
    # The clock is 2026-11-21T09:30Z; a hotline clock some hours fast is still taken.
    response = await push(ticket(received_at="2026-11-22T08:00:00Z"))

    assert response.status_code == 201, response.text


async def test_a_signature_timestamp_of_400_digits_is_401(client: Any, ticket: Any) -> None:
    response = await client.post(
        "/v1/hotline/tickets",
        json=ticket(),
        headers={"X-Gridcase-Signature": f"t={'9' * 400},v1=00"},
    )

    assert response.status_code == 401, response.text
    assert "malformed timestamp" in response.json()["detail"]
