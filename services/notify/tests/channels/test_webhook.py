"""Signed webhooks (the 12345 callback), against a real local receiver; signatures
are verified by an implementation of the 12345 signature written here, not the project's."""

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import HttpSink, Recorded
from notify.channels.base import Message, PermanentSendError, RetryableSendError
from notify.channels.webhook import WebhookChannel

SECRET = "hotline-callback-secret"
EVENT = {
    "ticket_no": "12345-20261121-0001",
    "status": "accepted",
    "tracking_no": "GC-20261121-AAAAAA",
    "note": "网格员已受理",
}


def verifies(request: Recorded, secret: str, *, body: bytes | None = None) -> bool:
    """The receiver's check: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>."""
    fields = dict(
        part.strip().split("=", 1) for part in request.headers["x-gridcase-signature"].split(",")
    )
    signed = fields["t"].encode() + b"." + (request.body if body is None else body)
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def callback(url: str, key: str = "evt-9:hotline:webhook") -> Message:
    return Message(
        idempotency_key=key,
        address=f"{url}/callbacks/12345",
        template_id="GC_HOTLINE_STATUS",
        params=EVENT,
        text="",
    )


@pytest.fixture
async def webhook(clock: ManualClock) -> Any:
    channel = WebhookChannel(secret=SECRET, timeout=2.0, clock=clock)
    yield channel
    await channel.close()


async def test_posts_the_event_signed_with_an_idempotency_key(
    webhook: WebhookChannel, http_sink: HttpSink, clock: ManualClock
) -> None:
    http_sink.reply_next(json={"id": "cb-77", "received": True})

    result = await webhook.send(callback(http_sink.url))

    assert webhook.name == "webhook"
    assert result.provider_ref == "cb-77"
    [request] = http_sink.requests
    assert request.method == "POST"
    assert request.path == "/callbacks/12345"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["idempotency-key"] == "evt-9:hotline:webhook"
    assert json.loads(request.body.decode("utf-8")) == EVENT
    assert request.headers["x-gridcase-signature"].startswith(
        f"t={int(clock.now().timestamp())},v1="
    )
    assert verifies(request, SECRET)
    assert not verifies(request, "another-secret")
    tampered = request.body.replace(b"accepted", b"resolved")
    assert tampered != request.body
    assert not verifies(request, SECRET, body=tampered)


async def test_the_timestamp_comes_from_the_clock(
    webhook: WebhookChannel, http_sink: HttpSink, clock: ManualClock
) -> None:
    await webhook.send(callback(http_sink.url))
    clock.advance(timedelta(minutes=10))
    await webhook.send(callback(http_sink.url))

    first, second = (
        int(r.headers["x-gridcase-signature"].split(",")[0].removeprefix("t="))
        for r in http_sink.requests
    )
    assert second - first == 600
    assert all(verifies(r, SECRET) for r in http_sink.requests)


async def test_an_answer_without_an_id_has_no_provider_ref(
    webhook: WebhookChannel, http_sink: HttpSink
) -> None:
    http_sink.reply_next(200, json={"received": True})

    result = await webhook.send(callback(http_sink.url))

    assert result.provider_ref is None


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503])
async def test_statuses_worth_retrying(
    webhook: WebhookChannel, http_sink: HttpSink, status: int
) -> None:
    http_sink.reply_next(status)

    with pytest.raises(RetryableSendError, match=str(status)):
        await webhook.send(callback(http_sink.url))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 422])
async def test_statuses_that_refuse_for_good(
    webhook: WebhookChannel, http_sink: HttpSink, status: int
) -> None:
    http_sink.reply_next(status)

    with pytest.raises(PermanentSendError, match=str(status)):
        await webhook.send(callback(http_sink.url))


async def test_retry_after_as_an_http_date(
    webhook: WebhookChannel, http_sink: HttpSink, clock: ManualClock
) -> None:
    # the conftest clock stands at 2026-11-21 02:00 UTC
    http_sink.reply_next(503, headers={"Retry-After": "Sat, 21 Nov 2026 02:01:30 GMT"})

    with pytest.raises(RetryableSendError) as raised:
        await webhook.send(callback(http_sink.url))

    assert raised.value.retry_after == 90.0


def test_a_webhook_channel_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        WebhookChannel(secret="")
