"""The 12345 batch push, against the real broker and database."""

import json
from typing import Any

import pytest
from sqlalchemy import text

from gridcase_events import topics
from gridcase_events.testing import read_topic

pytestmark = pytest.mark.integration

# Different places and categories, so that no ticket is merged into another here.
PLACES = [
    {"lat": 29.355, "lon": 104.7725, "category_hint": "environment/garbage-overflow"},
    {"lat": 29.365, "lon": 104.7725, "category_hint": "facility/road-damage"},
    {"lat": 29.3635, "lon": 104.7865, "category_hint": "neighbour/noise-dispute"},
]


async def _scalar(db: Any, sql: str) -> Any:
    async with db.connect() as conn:
        return (await conn.execute(text(sql))).scalar_one()


async def test_mixed_batch_stores_the_valid_tickets_and_explains_the_invalid_ones(
    push_batch: Any, ticket: Any, db: Any, kafka_bootstrap: str, namespace: str
) -> None:
    tickets = [
        ticket(ticket_no="B-1", **PLACES[0]),
        ticket(ticket_no="B-2", content=""),  # invalid: empty content
        ticket(ticket_no="B-3", **PLACES[1]),
        ticket(ticket_no="B-4", lat=31.2, lon=121.5),  # invalid: outside the district
        "not a ticket",  # invalid: not an object
        ticket(ticket_no="B-1", **PLACES[0]),  # the same ticket again in the batch
        ticket(ticket_no="B-5", lat=29.36, lon=None),  # invalid: lat without lon
    ]

    response = await push_batch(tickets)

    assert response.status_code == 207
    body = response.json()
    results = body["results"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["result"] for r in results] == [
        "created",
        "invalid",
        "created",
        "invalid",
        "invalid",
        "duplicate",
        "invalid",
    ]
    assert (body["created"], body["duplicate"], body["invalid"]) == (2, 1, 4)
    assert [r.get("ticket_no") for r in results] == ["B-1", "B-2", "B-3", "B-4", None, "B-1", "B-5"]
    # The repeat within the batch names the original case.
    assert results[5]["case_id"] == results[0]["case_id"]
    assert results[5]["tracking_no"] == results[0]["tracking_no"]
    # Invalid tickets carry field errors located inside the batch, and no ids.
    assert any(e["loc"] == ["body", "tickets", 1, "content"] for e in results[1]["errors"])
    assert any(e["loc"] == ["body", "tickets", 3, "lat"] for e in results[3]["errors"])
    assert "outside the district" in results[3]["errors"][0]["msg"]
    assert results[4]["errors"][0]["loc"] == ["body", "tickets", 4]
    assert "lat and lon" in results[6]["errors"][0]["msg"]
    assert all("case_id" not in results[i] for i in (1, 3, 4, 6))

    assert await _scalar(db, "SELECT count(*) FROM intake.cases") == 2
    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=2
    )
    events = [json.loads(r.value) for r in records]
    assert sorted(e["data"]["external_ref"] for e in events) == ["B-1", "B-3"]
    assert {e["type"] for e in events} == {"case.reported"}


async def test_tickets_already_stored_come_back_as_duplicates_with_the_original_ids(
    push: Any, push_batch: Any, ticket: Any, db: Any
) -> None:
    first = (await push(ticket(ticket_no="SINGLE-1", **PLACES[0]))).json()

    response = await push_batch(
        [ticket(ticket_no="SINGLE-1", **PLACES[0]), ticket(ticket_no="NEW-1", **PLACES[1])]
    )

    results = response.json()["results"]
    assert results[0]["result"] == "duplicate"
    assert (results[0]["case_id"], results[0]["tracking_no"]) == (
        first["case_id"],
        first["tracking_no"],
    )
    assert results[1]["result"] == "created"
    assert await _scalar(db, "SELECT count(*) FROM intake.outbox") == 2


async def test_a_batch_of_500_is_taken_and_501_is_422_with_nothing_stored(
    push_batch: Any, ticket: Any, db: Any
) -> None:
    # Without coordinates or address, none of them can be merged into another.
    plain = [
        ticket(ticket_no=f"MANY-{i}", lat=None, lon=None, address=None, category_hint=None)
        for i in range(501)
    ]

    too_many = await push_batch(plain)

    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["body", "tickets"]
    assert "at most 500" in too_many.json()["detail"][0]["msg"]
    assert await _scalar(db, "SELECT count(*) FROM intake.cases") == 0

    taken = await push_batch(plain[:500])

    assert taken.status_code == 207
    assert taken.json()["created"] == 500
    assert await _scalar(db, "SELECT count(*) FROM intake.cases") == 500
    assert await _scalar(db, "SELECT count(DISTINCT tracking_no) FROM intake.cases") == 500


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"tickets": []}, ["body", "tickets"]),
        ({}, ["body", "tickets"]),
        ({"tickets": "B-1"}, ["body", "tickets"]),
        (b'{"tickets": [', ["body"]),
        ([1, 2], ["body"]),
    ],
)
async def test_a_body_that_is_not_a_batch_is_422(
    shared_post_signed: Any, shared_db: Any, body: Any, loc: list[Any]
) -> None:
    response = await shared_post_signed("/v1/hotline/tickets:batch", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert await _scalar(shared_db, "SELECT count(*) FROM intake.cases") == 0


async def test_a_batch_over_the_body_limit_is_413(push_batch: Any, ticket: Any, db: Any) -> None:
    # The test service allows 1 MiB per batch.
    tickets = [ticket(ticket_no=f"BIG-{i}", content="很" * 3900) for i in range(100)]

    response = await push_batch(tickets)

    assert response.status_code == 413
    assert await _scalar(db, "SELECT count(*) FROM intake.cases") == 0


async def test_a_batch_in_another_media_type_is_415(client: Any) -> None:
    response = await client.post(
        "/v1/hotline/tickets:batch",
        content=b"tickets=1",
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 415
