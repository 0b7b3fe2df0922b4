"""Duplicate merge on the catalogue's code: a hint by name and a hint by code are one
category once the catalogue (the directory topic) knows it."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from gridcase_events import envelope, payloads, topics
from gridcase_events.testing import eventually, read_topic

pytestmark = pytest.mark.integration

CODE = "environment/garbage-overflow"
NAME = "垃圾满溢"


@pytest.fixture
async def catalogue(client: Any, producer: AIOKafkaProducer, namespace: str) -> None:
    """The category, published on the directory topic as dispatch publishes it; returns
    once intake's projection has it."""
    event = envelope.build(
        payloads.CategoryUpserted(
            code=CODE, name=NAME, handler="grid", department_code=None, priority="normal"
        ),
        subject=f"category:{CODE}",
        source="dispatch",
        tenant="510302",
        correlation_id="test-catalogue",
        time=datetime(2026, 11, 1, tzinfo=UTC),
    )
    topic = topics.for_event(source="dispatch", event_type=event.type)
    await producer.send_and_wait(
        topics.qualify(namespace, topic), key=event.subject.encode(), value=event.to_bytes()
    )

    async def known() -> bool:
        services = await client.get("/open311/v2/services.json")
        return [s["service_code"] for s in services.json()] == [CODE]

    await eventually(known)


async def _merged_event(kafka_bootstrap: str, namespace: str, case_id: str) -> dict[str, Any]:
    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=2
    )
    events = [json.loads(r.value) for r in records]
    return next(e for e in events if e["subject"] == case_id)


@pytest.mark.parametrize(
    ("first_hint", "second_hint"),
    [(NAME, CODE), (CODE, NAME), ("垃圾 满溢", " Environment/Garbage-Overflow ")],
)
async def test_a_hint_by_name_and_one_by_code_are_merged(
    push: Any,
    ticket: Any,
    catalogue: None,
    kafka_bootstrap: str,
    namespace: str,
    first_hint: str,
    second_hint: str,
) -> None:
    first = (await push(ticket(ticket_no="N-1", category_hint=first_hint))).json()

    response = await push(ticket(ticket_no="N-2", category_hint=second_hint))

    assert response.status_code == 201
    merged = response.json()
    assert merged["merged_into"] == first["tracking_no"]
    event = await _merged_event(kafka_bootstrap, namespace, merged["case_id"])
    assert event["type"] == "case.merged"
    assert event["data"]["category_code"] == CODE


async def test_without_the_catalogue_a_name_and_a_code_are_different_categories(
    push: Any, ticket: Any
) -> None:
    await push(ticket(ticket_no="T-1", category_hint=NAME))

    response = await push(ticket(ticket_no="T-2", category_hint=CODE))

    assert response.status_code == 201
    assert "merged_into" not in response.json()


async def test_unknown_hints_are_still_compared_as_text(
    push: Any, ticket: Any, catalogue: None, kafka_bootstrap: str, namespace: str
) -> None:
    first = (await push(ticket(ticket_no="U-1", category_hint="噪音 扰民"))).json()
    other = await push(ticket(ticket_no="U-2", category_hint="占道经营"))

    response = await push(ticket(ticket_no="U-3", category_hint="噪音扰民"))

    assert "merged_into" not in other.json()
    merged = response.json()
    assert merged["merged_into"] == first["tracking_no"]
    event = await _merged_event(kafka_bootstrap, namespace, merged["case_id"])
    assert event["data"]["category_code"] is None
