"""The 12345 hotline push, against the real broker and database."""

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from gridcase_events import topics
from gridcase_events.testing import read_topic
from intake.cases import service as case_service

pytestmark = pytest.mark.integration

CASES = "SELECT count(*) FROM intake.cases WHERE external_ref = :ref"
OUTBOX = "SELECT count(*) FROM intake.outbox WHERE key = :key"


async def _count(db: Any, sql: str, **params: Any) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(text(sql), params)).scalar_one())


async def test_signed_ticket_creates_a_case_and_announces_it(
    push: Any, ticket: Any, db: Any, kafka_bootstrap: str, namespace: str
) -> None:
    response = await push(ticket(), **{"X-Correlation-Id": "hotline-req-1"})

    assert response.status_code == 201
    created = response.json()
    assert created["tracking_no"].startswith("GC-20261121-")
    assert response.headers["x-correlation-id"] == "hotline-req-1"

    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=1
    )
    events = [json.loads(r.value) for r in records]
    assert [e["type"] for e in events] == ["case.reported"]
    event = events[0]
    assert event["subject"] == created["case_id"]
    assert event["correlation_id"] == "hotline-req-1"
    data = event["data"]
    assert data["tracking_no"] == created["tracking_no"]
    assert data["external_ref"] == "12345-20261121-0001"
    assert data["location"] == {"lat": 29.355, "lon": 104.7725}
    assert data["reporter"]["phone_masked"] == "139****5678"
    assert data["reporter"]["name_masked"] == "张**"


async def test_phone_numbers_never_travel_or_rest_in_plaintext(
    push: Any, ticket: Any, db: Any, kafka_bootstrap: str, namespace: str
) -> None:
    assert (await push(ticket())).status_code == 201
    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=1
    )
    assert b"13912345678" not in records[0].value
    async with db.connect() as conn:
        row = (await conn.execute(text("SELECT * FROM intake.cases"))).mappings().one()
    assert "13912345678" not in json.dumps({k: str(v) for k, v in row.items()})
    assert row["reporter_phone_masked"] == "139****5678"


async def test_repeated_ticket_returns_the_original_case_with_200(
    push: Any, ticket: Any, db: Any
) -> None:
    first = await push(ticket())
    again = await push(ticket(content="a different text for the same ticket"))

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert await _count(db, CASES, ref="12345-20261121-0001") == 1
    assert await _count(db, OUTBOX, key=first.json()["case_id"]) == 1


async def test_twenty_concurrent_pushes_of_one_ticket_make_one_case(
    push: Any, ticket: Any, db: Any, kafka_bootstrap: str, namespace: str
) -> None:
    responses = await asyncio.gather(*(push(ticket(ticket_no="CONCURRENT-1")) for _ in range(20)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 19 + [201]
    assert len({(r.json()["case_id"], r.json()["tracking_no"]) for r in responses}) == 1
    case_id = responses[0].json()["case_id"]
    assert await _count(db, CASES, ref="CONCURRENT-1") == 1
    assert await _count(db, OUTBOX, key=case_id) == 1
    # Exactly one announcement reaches the topic.
    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=1
    )
    events = [json.loads(r.value) for r in records]
    assert [(e["type"], e["subject"]) for e in events] == [("case.reported", case_id)]


async def test_ticket_signed_with_the_previous_secret_is_accepted(push: Any, ticket: Any) -> None:
    response = await push(ticket(ticket_no="ROTATION-1"), secret="hotline-secret-previous")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("secret", "skew", "reason"),
    [
        ("someone-else", 0, "does not match"),
        ("hotline-secret-current", -301, "more than 300 s"),
        ("hotline-secret-current", 301, "more than 300 s"),
    ],
)
async def test_bad_or_stale_signature_is_401_and_stores_nothing(
    push: Any, ticket: Any, db: Any, clock: Any, secret: str, skew: int, reason: str
) -> None:
    response = await push(
        ticket(ticket_no="UNSIGNED-1"), secret=secret, at=clock.now() + timedelta(seconds=skew)
    )

    assert response.status_code == 401
    assert reason in response.json()["detail"]
    assert await _count(db, CASES, ref="UNSIGNED-1") == 0
    assert await _count(db, "SELECT count(*) FROM intake.outbox") == 0


async def test_missing_signature_is_401(client: Any, ticket: Any) -> None:
    response = await client.post(
        "/v1/hotline/tickets", json=ticket(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 401
    assert "missing" in response.json()["detail"]


async def test_signature_at_the_edge_of_the_tolerance_is_accepted(
    push: Any, ticket: Any, clock: Any
) -> None:
    response = await push(ticket(ticket_no="EDGE-1"), at=clock.now() - timedelta(seconds=300))
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"content": "x" * 4001}, "content"),
        ({"content": ""}, "content"),
        ({"lat": 91.0}, "lat"),
        ({"lon": None}, None),  # lat without lon
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": "2026-11-21T17:25:00"}, "received_at"),  # no offset
        ({"urgency": "whenever"}, "urgency"),
        ({"ticket_no": "has spaces"}, "ticket_no"),
        ({"caller_phone": "call me"}, "caller_phone"),
        ({"attachments": ["not a url"]}, "attachments"),
    ],
)
async def test_invalid_ticket_is_422_with_field_errors_and_stores_nothing(
    shared_push: Any, ticket: Any, shared_db: Any, overrides: dict[str, Any], field: str | None
) -> None:
    response = await shared_push(ticket(**{"ticket_no": "INVALID-1", **overrides}))

    assert response.status_code == 422
    errors = response.json()["detail"]
    assert errors
    assert all(e["loc"][0] == "body" for e in errors)
    if field is not None:
        assert any(field in e["loc"] for e in errors), errors
    assert await _count(shared_db, "SELECT count(*) FROM intake.cases") == 0
    assert await _count(shared_db, "SELECT count(*) FROM intake.outbox") == 0


async def test_malformed_json_is_422_not_500(push: Any) -> None:
    response = await push(b'{"ticket_no": ')
    assert response.status_code == 422


async def test_wrong_media_type_is_415(client: Any) -> None:
    response = await client.post(
        "/v1/hotline/tickets",
        content=b"ticket_no=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415


async def test_body_over_the_limit_is_413_and_stores_nothing(
    push: Any, ticket: Any, db: Any
) -> None:
    response = await push(ticket(content="很" * 30_000))
    assert response.status_code == 413
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 0


async def test_public_status_shows_progress_without_personal_data(
    push: Any, ticket: Any, client: Any
) -> None:
    created = (await push(ticket(ticket_no="PUBLIC-1"))).json()

    response = await client.get(f"/v1/public/cases/{created['tracking_no']}")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "reported"
    assert body["tracking_no"] == created["tracking_no"]
    assert "5678" not in response.text
    assert "张" not in response.text
    assert (await client.get("/v1/public/cases/GC-20261121-ZZZZZZ")).status_code == 404


async def test_a_repeat_racing_the_first_push_writes_no_event_of_its_own(
    push: Any, ticket: Any, db: Any
) -> None:
    # The case and its event go in by one statement; a push that loses the race for
    # the ticket_no must leave no event behind, under its own new case id or any other.
    responses = await asyncio.gather(*(push(ticket(ticket_no="RACE-1")) for _ in range(10)))

    assert sorted(r.status_code for r in responses) == [200] * 9 + [201]
    assert await _count(db, "SELECT count(*) FROM intake.outbox") == 1
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 1


async def test_a_tracking_number_drawn_twice_is_drawn_again_and_announced_as_stored(
    push: Any, ticket: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = (await push(ticket(ticket_no="DRAW-1"))).json()
    draws = iter([first["tracking_no"], "GC-20261121-ZZZZZZ"])
    monkeypatch.setattr(case_service, "new_tracking_no", lambda _now: next(draws))

    response = await push(ticket(ticket_no="DRAW-2", lat=29.40, lon=104.80, address="樟树路8号"))

    assert response.status_code == 201
    assert response.json()["tracking_no"] == "GC-20261121-ZZZZZZ"
    async with db.connect() as conn:
        events = (
            (
                await conn.execute(
                    text("SELECT payload FROM intake.outbox WHERE key = :key"),
                    {"key": response.json()["case_id"]},
                )
            )
            .scalars()
            .all()
        )
        stored = (
            await conn.execute(
                text("SELECT tracking_no FROM intake.cases WHERE external_ref = 'DRAW-2'")
            )
        ).scalar_one()
    assert stored == "GC-20261121-ZZZZZZ"
    assert [e["data"]["tracking_no"] for e in events] == ["GC-20261121-ZZZZZZ"]
    assert await _count(db, "SELECT count(*) FROM intake.outbox") == 2
