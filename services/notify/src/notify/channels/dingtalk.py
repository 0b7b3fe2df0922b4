"""DingTalk (钉钉) custom group robots: a POST of ``{"msgtype": "markdown",
"markdown": {"title", "text"}}`` to the robot's URL (``message.address``,
``https://oapi.dingtalk.com/robot/send?access_token=...``), answered with
``{"errcode": 0, "errmsg": "ok"}``.

A robot with the 加签 security setting needs ``timestamp`` (milliseconds) and
``sign`` query parameters: ``sign`` is the URL-encoded Base64 of
HMAC-SHA256(secret, ``"<timestamp>\\n<secret>"``), and the timestamp must be within an
hour of DingTalk's clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from urllib.parse import parse_qs, quote_plus, urlsplit

import httpx

from gridcase_events.kit.clock import Clock, SystemClock
from notify.channels import _http
from notify.channels.base import Message, SendResult

SYSTEM_BUSY = -1
SENT_TOO_FAST = 130101  # send too fast: over 20 messages a minute, refused for 10 minutes
OVER_LIMIT = 90030  # webhook over limit: the robot's quota is used up for now
RETRY_CODES = frozenset({SYSTEM_BUSY})
THROTTLE_CODES = frozenset({SENT_TOO_FAST, OVER_LIMIT})
THROTTLED_FOR = 600.0
MAX_TITLE = 64


def sign(secret: str, timestamp_ms: int) -> str:
    """The ``sign`` query value, already URL-encoded as DingTalk documents it."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return quote_plus(base64.b64encode(mac.digest()))


def title_of(message: Message) -> str:
    """``params["title"]``, else the first non-empty line of the text (without any
    markdown heading marks), shortened: DingTalk shows it in the chat list."""
    title = message.params.get("title")
    if not title:
        first = next((line for line in message.text.splitlines() if line.strip()), "")
        title = first.lstrip("#> ").strip() or message.template_id
    title = str(title)
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"


class DingTalkRobotChannel:
    name = "dingtalk"

    def __init__(
        self,
        *,
        timeout: float = 5.0,
        client: httpx.AsyncClient | None = None,
        secrets: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout, transport=transport)
        self._secrets = dict(secrets or {})
        self._clock = clock or SystemClock()

    def _secret_for(self, url: str) -> str | None:
        """The signing secret configured for the robot's URL or its access token."""
        if url in self._secrets:
            return self._secrets[url]
        tokens = parse_qs(urlsplit(url).query).get("access_token")
        return self._secrets.get(tokens[0]) if tokens else None

    def signed_url(self, url: str) -> str:
        secret = self._secret_for(url)
        if secret is None:
            return url
        timestamp = int(self._clock.now().timestamp() * 1000)
        separator = "&" if urlsplit(url).query else "?"
        return f"{url}{separator}timestamp={timestamp}&sign={sign(secret, timestamp)}"

    async def send(self, message: Message) -> SendResult:
        body = json.dumps(
            {"msgtype": "markdown", "markdown": {"title": title_of(message), "text": message.text}},
            ensure_ascii=False,
        ).encode()
        response = await _http.post(
            self._client,
            self.signed_url(message.address),
            content=body,
            headers={"Content-Type": "application/json"},
            clock=self._clock,
            what="DingTalk robot",
            echo=False,
        )
        _http.check_errcode(
            response,
            what="DingTalk robot",
            echo=False,
            retry_codes=RETRY_CODES,
            throttle_codes=THROTTLE_CODES,
            throttle_retry_after=THROTTLED_FOR,
        )
        return SendResult(provider_ref=None)

    async def close(self) -> None:
        """Closes the HTTP client unless the caller passed it in (and so owns it)."""
        if self._owns_client:
            await self._client.aclose()
