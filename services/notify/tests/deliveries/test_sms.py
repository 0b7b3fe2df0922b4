"""The assignee hears of a case by SMS, once; failures are retried, then recorded."""

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from gridcase_events import topics
from gridcase_events.testing import HttpSink, bearer, read_topic

OPS = bearer("ops1", "ops", "510302")

pytestmark = pytest.mark.integration


def independently_verified(request: Any, secret: str) -> bool:
    """The gateway's view: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>."""
    parts = dict(p.split("=", 1) for p in request.headers["x-gridcase-signature"].split(","))
    expected = hmac.new(
        secret.encode(), parts["t"].encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def delivered(items: list[dict[str, Any]]) -> bool:
    return items[0]["status"] == "delivered"


async def test_assignee_gets_one_signed_sms_and_the_delivery_is_recorded(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    http_sink: HttpSink,
    kafka_bootstrap: str,
    namespace: str,
) -> None:
    await staff()
    event = await assigned(post="B")

    items = await deliveries(event.subject, delivered)

    assert len(http_sink.requests) == 1
    request = http_sink.requests[0]
    assert independently_verified(request, "sms-gateway-secret")
    body = request.json()
    assert body["phone"] == "13800000002"
    assert body["template_id"] == "GC_CASE_ASSIGNED"
    assert body["params"]["tracking_no"] == "GC-20261121-AAAAAA"
    assert "GC-20261121-AAAAAA" in body["content"]
    assert "B岗顶岗" in body["content"]
    assert request.headers["x-idempotency-key"] == body["out_id"]

    assert items[0]["recipient_masked"] == "138****0002"
    assert items[0]["attempts"] == 1
    assert items[0]["provider_ref"] == "sink-1"
    listing = await client.get(
        f"/v1/cases/{event.subject}/deliveries", headers={"Authorization": ""}
    )
    assert listing.status_code == 401

    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.NOTIFY), min_count=1
    )
    sent = [json.loads(r.value) for r in records]
    assert sorted((e["type"], e["data"]["channel"]) for e in sent) == [
        ("notification.delivered", "inapp"),
        ("notification.delivered", "sms"),
    ]
    assert {e["correlation_id"] for e in sent} == {event.correlation_id}
    assert all(b"13800000002" not in r.value for r in records)


async def test_a_repeated_assignment_event_sends_one_sms(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    http_sink: HttpSink,
    producer: Any,
    namespace: str,
) -> None:
    await staff()
    event = await assigned()
    await (
        await producer.send(
            topics.qualify(namespace, topics.DISPATCH),
            key=event.subject.encode(),
            value=event.to_bytes(),
        )
    )
    marker = await assigned(tracking_no="GC-20261121-MARKER")

    await deliveries(marker.subject, delivered)
    items = await deliveries(event.subject, delivered)

    assert len(items) == 1
    tracking = [r.json()["params"]["tracking_no"] for r in http_sink.requests]
    assert sorted(tracking) == ["GC-20261121-AAAAAA", "GC-20261121-MARKER"]


async def test_gateway_500_is_retried_with_the_same_idempotency_key(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink, clock: Any
) -> None:
    http_sink.fail_next(500)
    await staff()
    event = await assigned()

    waiting = await deliveries(
        event.subject, lambda d: d[0]["attempts"] == 1 and d[0]["status"] == "pending"
    )
    assert "500" in waiting[0]["last_error"]
    assert len(http_sink.requests) == 1
    clock.advance(timedelta(seconds=10))  # the first backoff is at most 10 s

    items = await deliveries(event.subject, delivered)

    assert items[0]["attempts"] == 2
    keys = {r.headers["x-idempotency-key"] for r in http_sink.requests}
    assert len(http_sink.requests) == 2
    assert len(keys) == 1


async def test_429_retry_after_is_honoured(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink, clock: Any
) -> None:
    http_sink.fail_next(429, headers={"Retry-After": "120"})
    await staff()
    event = await assigned()

    waiting = await deliveries(
        event.subject, lambda d: d[0]["status"] == "pending" and d[0]["attempts"] == 1
    )

    from datetime import datetime

    due = datetime.fromisoformat(waiting[0]["next_attempt_at"])
    assert due - clock.now() == timedelta(seconds=120)


async def test_a_refused_message_fails_at_once_and_is_reported(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    http_sink: HttpSink,
    kafka_bootstrap: str,
    namespace: str,
) -> None:
    http_sink.fail_next(400)
    await staff()
    event = await assigned()

    items = await deliveries(event.subject, lambda d: d[0]["status"] == "failed")

    assert items[0]["attempts"] == 1
    assert "400" in items[0]["last_error"]
    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.NOTIFY), min_count=1
    )
    failed = [json.loads(r.value) for r in records if b'"sms"' in r.value]
    assert [e["type"] for e in failed] == ["notification.failed"]
    assert "400" in failed[0]["data"]["error"]


async def test_a_gateway_that_echoes_the_phone_does_not_put_it_in_the_record_or_event(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    http_sink: HttpSink,
    kafka_bootstrap: str,
    namespace: str,
) -> None:
    http_sink.reply_next(
        400,
        json={"error": "number 13800000002 is blocked (also +86 138 0000 0002, 13911112222)"},
    )
    await staff()
    event = await assigned()

    [item] = await deliveries(event.subject, lambda d: d[0]["status"] == "failed")

    assert "138****0002 is blocked" in item["last_error"]
    assert "139****2222" in item["last_error"]
    listing = await client.get(f"/v1/cases/{event.subject}/deliveries", headers=OPS)
    failed_list = await client.get("/v1/deliveries", params={"status": "failed"}, headers=OPS)
    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.NOTIFY), min_count=1
    )
    [failed] = [json.loads(r.value) for r in records if b'"notification.failed"' in r.value]
    assert "138****0002" in failed["data"]["error"]
    for text in (listing.text, failed_list.text, json.dumps(failed)):
        assert "13800000002" not in text
        assert "138 0000 0002" not in text
        assert "13911112222" not in text


async def test_after_the_last_attempt_the_failure_is_recorded(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink, clock: Any
) -> None:
    http_sink.fail_next(503, times=3)
    await staff()
    event = await assigned()

    for attempt in (1, 2):
        await deliveries(
            event.subject,
            lambda d, a=attempt: d[0]["attempts"] == a and d[0]["status"] == "pending",
        )
        clock.advance(timedelta(seconds=60))
    items = await deliveries(event.subject, lambda d: d[0]["status"] == "failed")

    assert items[0]["attempts"] == 3
    assert len(http_sink.requests) == 3


async def test_an_assignment_seen_before_the_contact_is_sent_once_the_contact_arrives(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink, clock: Any
) -> None:
    event = await assigned()
    waiting = await deliveries(
        event.subject, lambda d: d[0]["attempts"] == 1 and d[0]["status"] == "pending"
    )
    assert "no contact" in waiting[0]["last_error"]

    await staff()
    clock.advance(timedelta(seconds=10))
    items = await deliveries(event.subject, delivered)

    assert items[0]["recipient_masked"] == "138****0002"
    assert len(http_sink.requests) == 1


async def test_the_sms_and_its_delivered_event_continue_the_trace_of_the_assignment(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    spans: Any,
    kafka_bootstrap: str,
    namespace: str,
) -> None:
    notify_spans = spans("notify")
    await staff()
    with TracerProvider().get_tracer("dispatch").start_as_current_span("assign") as assigning:
        event = await assigned()
    trace_id = assigning.get_span_context().trace_id

    await deliveries(event.subject, delivered)

    finished = notify_spans.get_finished_spans()
    # Every attempt continues the trace (the first may wait for the contact to arrive).
    sends = [s for s in finished if s.name == "sms send"]
    assert sends
    assert {s.context.trace_id for s in sends} == {trace_id}
    send = sends[-1]
    # Each of notify's consumer groups on the dispatch topic handles the event in a span.
    processes = {
        s.context.span_id
        for s in finished
        if s.name == f"{topics.DISPATCH} process" and s.context.trace_id == trace_id
    }
    assert send.kind is trace.SpanKind.CLIENT
    assert send.context.trace_id == trace_id
    assert send.parent is not None
    assert send.parent.span_id in processes

    records = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.NOTIFY), min_count=1
    )
    (record,) = [
        r
        for r in records
        if dict(r.headers)["type"] == b"notification.delivered"
        and json.loads(r.value)["data"]["channel"] == "sms"
    ]
    traceparent = dict(record.headers)["traceparent"].decode()
    assert traceparent.split("-")[1] == trace.format_trace_id(trace_id)
