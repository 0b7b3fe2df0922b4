"""Signed generic webhooks (the 12345 hotline's status callback, and any receiver
that verifies the same way): a POST of ``message.params`` as JSON to
``message.address`` with ``X-Gridcase-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret,
"<t>.<raw body>")>`` (the contract of the 12345 push, README) and ``Idempotency-Key``, so a receiver can drop
a repeat of a delivery it already has."""

from __future__ import annotations

import json

import httpx

from gridcase_events.kit import signing
from gridcase_events.kit.clock import Clock, SystemClock
from notify.channels import _http
from notify.channels.base import Message, SendResult

IDEMPOTENCY_HEADER = "Idempotency-Key"
#: Besides every 5xx: request timeout, too early, too many requests.
RETRY_STATUSES = frozenset({408, 425, 429})


class WebhookChannel:
    name = "webhook"

    def __init__(
        self,
        *,
        secret: str,
        timeout: float = 10.0,
        client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not secret:
            raise ValueError("a webhook channel needs a signing secret")
        self._secret = secret
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout, transport=transport)
        self._clock = clock or SystemClock()

    async def send(self, message: Message) -> SendResult:
        body = json.dumps(message.params, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: message.idempotency_key,
            signing.HEADER: signing.sign(self._secret, body, now=self._clock.now()),
        }
        response = await _http.post(
            self._client,
            message.address,
            content=body,
            headers=headers,
            clock=self._clock,
            what="webhook receiver",
            echo=False,
            retry_statuses=RETRY_STATUSES,
        )
        ref = (_http.json_object(response) or {}).get("id")
        return SendResult(provider_ref=str(ref) if ref is not None else None)

    async def close(self) -> None:
        """Closes the HTTP client unless the caller passed it in (and so owns it)."""
        if self._owns_client:
            await self._client.aclose()
