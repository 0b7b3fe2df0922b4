"""WeCom (企业微信) group robots: a POST of ``{"msgtype": "markdown", "markdown":
{"content": ...}}`` to the robot's webhook URL (``message.address``,
``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...``), answered with
``{"errcode": 0, "errmsg": "ok"}`` on success."""

from __future__ import annotations

import json
from typing import Literal

import httpx

from gridcase_events.kit.clock import Clock, SystemClock
from notify.channels import _http
from notify.channels.base import Message, SendResult

SYSTEM_BUSY = -1
RATE_LIMITED = 45009  # 接口调用超过限制: a robot takes 20 messages a minute
RETRY_CODES = frozenset({SYSTEM_BUSY})
THROTTLE_CODES = frozenset({RATE_LIMITED})
#: The robot refuses markdown content longer than this many UTF-8 bytes (text: 2048).
MAX_BYTES = {"markdown": 4096, "text": 2048}


def truncate_utf8(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, never in the middle of a character."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - len("…".encode())].decode(errors="ignore") + "…"


class WeComRobotChannel:
    name = "wecom"

    def __init__(
        self,
        *,
        timeout: float = 5.0,
        client: httpx.AsyncClient | None = None,
        msgtype: Literal["markdown", "text"] = "markdown",
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout, transport=transport)
        self._msgtype = msgtype
        self._clock = clock or SystemClock()

    async def send(self, message: Message) -> SendResult:
        content = truncate_utf8(message.text, MAX_BYTES[self._msgtype])
        body = json.dumps(
            {"msgtype": self._msgtype, self._msgtype: {"content": content}}, ensure_ascii=False
        ).encode()
        response = await _http.post(
            self._client,
            message.address,
            content=body,
            headers={"Content-Type": "application/json"},
            clock=self._clock,
            what="WeCom robot",
            echo=False,
        )
        _http.check_errcode(
            response,
            what="WeCom robot",
            retry_codes=RETRY_CODES,
            throttle_codes=THROTTLE_CODES,
            echo=False,
        )
        return SendResult(provider_ref=None)

    async def close(self) -> None:
        """Closes the HTTP client unless the caller passed it in (and so owns it)."""
        if self._owns_client:
            await self._client.aclose()
