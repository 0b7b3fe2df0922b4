"""Residents' phone numbers never appear in plaintext in logs or in Kafka events."""

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from gridcase_events import topics
from gridcase_events.testing import bearer, read_topic

pytestmark = pytest.mark.integration

PHONE = "+86 139-1234-5678"
PLAINTEXT = [b"13912345678", b"139-1234-5678", b"1391234", b"12345678"]
MASKED = b"139****5678"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # The most talkative level: whatever any library logs is captured too.
    return {"log_level": "DEBUG"}


@pytest.fixture
def captured_logs(client: Any) -> Iterator[io.StringIO]:
    """Every log line the service writes, rendered exactly as on its stdout (the
    structlog JSON formatter installed by gridcase_events.kit.logs)."""
    root = logging.getLogger()
    [stdout_handler] = root.handlers
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(stdout_handler.formatter)
    root.addHandler(handler)
    yield buffer
    root.removeHandler(handler)


async def test_a_phone_number_is_masked_in_logs_and_events_on_every_path(
    push: Any,
    push_batch: Any,
    ticket: Any,
    captured_logs: io.StringIO,
    kafka_bootstrap: str,
    namespace: str,
) -> None:
    single = await push(ticket(ticket_no="PII-1", caller_phone=PHONE))
    repeat = await push(ticket(ticket_no="PII-1", caller_phone=PHONE))
    merged = await push(ticket(ticket_no="PII-2", caller_phone=PHONE, lat=29.3551))
    batch = await push_batch(
        [
            ticket(ticket_no="PII-3", caller_phone=PHONE, category_hint="safety/fire-hazard"),
            ticket(ticket_no="PII-4", caller_phone=PHONE, content=""),  # invalid
        ]
    )
    refused = await push(ticket(ticket_no="PII-5", caller_phone=PHONE), secret="wrong")
    assert [r.status_code for r in (single, repeat, merged, batch, refused)] == [
        201,
        200,
        201,
        207,
        401,
    ]
    assert merged.json()["merged_into"] == single.json()["tracking_no"]

    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=3
    )
    raw_events = [r.value for r in records]
    assert len(raw_events) == 3  # reported, merged, reported (the batch's valid one)
    for raw in raw_events:
        assert not [p for p in PLAINTEXT if p in raw], raw
        assert MASKED in raw
        assert "张先生".encode() not in raw

    logs = captured_logs.getvalue()
    # The capture works: the service's own lines about these tickets are there.
    assert "hotline ticket accepted" in logs
    assert "report merged into an open case" in logs
    assert "hotline batch taken" in logs
    assert "hotline signature refused" in logs
    assert len(logs.splitlines()) > 10
    leaked = [p.decode() for p in PLAINTEXT if p.decode() in logs]
    assert not leaked, leaked


async def test_a_phone_number_sent_through_the_wish_page_is_never_logged(
    client: Any, captured_logs: io.StringIO, kafka_bootstrap: str, namespace: str
) -> None:
    wall = {"wall_id": "W-PII", "community_code": "510302001002", "name": "墙"}
    created = await client.post("/v1/walls", json=wall, headers=bearer("admin-1", "admin"))
    assert created.status_code == 201
    form = {"content": "路灯坏了", "phone": "139 1234 5678", "token": "t-pii-1"}

    taken = await client.post("/walls/W-PII", data=form)
    again = await client.post("/walls/W-PII", data=form)
    invalid = await client.post("/walls/W-PII", data={**form, "phone": "139-1234-567x"})

    assert [r.status_code for r in (taken, again, invalid)] == [201, 201, 422]
    assert "13912345678" not in taken.text  # the thank-you page does not echo it
    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=1
    )
    assert len(records) == 1
    assert not [p for p in PLAINTEXT if p in records[0].value]
    logs = captured_logs.getvalue()
    assert "wish taken" in logs
    leaked = [p.decode() for p in (*PLAINTEXT, b"1234-567x") if p.decode() in logs]
    assert not leaked, leaked
