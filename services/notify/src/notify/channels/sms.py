"""SMS through an HTTP gateway, in the shape Chinese SMS providers use: a template id
plus parameters, a signature name, and our idempotency key as the caller's
reference (``out_id``), so a retried request is not sent twice."""

from __future__ import annotations

import json

import httpx

from gridcase_events.kit import signing
from gridcase_events.kit.clock import Clock
from notify.channels import _http
from notify.channels._http import retry_after_seconds as retry_after_seconds
from notify.channels.base import Message, SendResult

IDEMPOTENCY_HEADER = "X-Idempotency-Key"


class HttpSmsChannel:
    name = "sms"

    def __init__(
        self,
        *,
        url: str,
        secret: str | None,
        sign_name: str,
        clock: Clock,
        timeout: float = 10.0,
        connections: int = 16,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        """`connections`: kept alive to the gateway (the worker's concurrency bound per
        channel; httpx's default keeps 20, so a larger bound would reconnect per SMS)."""
        self._url = url
        self._secret = secret
        self._sign_name = sign_name
        self._clock = clock
        self._client = client or httpx.AsyncClient(
            timeout=timeout,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )

    async def send(self, message: Message) -> SendResult:
        body = json.dumps(
            {
                "phone": message.address,
                "sign_name": self._sign_name,
                "template_id": message.template_id,
                "params": message.params,
                "content": message.text,
                "out_id": message.idempotency_key,
            },
            ensure_ascii=False,
        ).encode()
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: message.idempotency_key}
        if self._secret:
            headers[signing.HEADER] = signing.sign(self._secret, body, now=self._clock.now())
        response = await _http.post(
            self._client,
            self._url,
            content=body,
            headers=headers,
            clock=self._clock,
            what="SMS gateway",
        )
        data = _http.json_object(response) or {}
        ref = data.get("message_id") or data.get("biz_id")
        return SendResult(provider_ref=str(ref) if ref else None)

    async def close(self) -> None:
        await self._client.aclose()
