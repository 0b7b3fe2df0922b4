"""SMS through an HTTP gateway, in the shape Chinese SMS providers use: a template id
plus parameters, a signature name, and our idempotency key as the caller's
reference (``out_id``), so a retried request is not sent twice."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime

import httpx

from gridcase_events.kit import signing
from gridcase_events.kit.clock import Clock
from notify.channels.base import Message, PermanentSendError, RetryableSendError, SendResult

IDEMPOTENCY_HEADER = "X-Idempotency-Key"


def retry_after_seconds(value: str | None, clock: Clock) -> float | None:
    """``Retry-After`` as seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, (parsedate_to_datetime(value) - clock.now()).total_seconds())
    except (TypeError, ValueError):
        return None


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
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = url
        self._secret = secret
        self._sign_name = sign_name
        self._clock = clock
        self._client = client or httpx.AsyncClient(timeout=timeout)

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
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise RetryableSendError(f"SMS gateway timed out: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise RetryableSendError(f"SMS gateway unreachable: {type(exc).__name__}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableSendError(
                f"SMS gateway answered {response.status_code}",
                retry_after=retry_after_seconds(response.headers.get("retry-after"), self._clock),
            )
        if response.status_code >= 400:
            raise PermanentSendError(
                f"SMS gateway refused the message: {response.status_code} {response.text[:200]}"
            )
        ref = None
        try:
            data = response.json()
            if isinstance(data, dict):
                ref = data.get("message_id") or data.get("biz_id")
        except ValueError:
            pass
        return SendResult(provider_ref=str(ref) if ref else None)

    async def close(self) -> None:
        await self._client.aclose()
