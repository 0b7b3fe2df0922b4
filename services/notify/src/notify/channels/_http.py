"""What the HTTP channels share: ``Retry-After`` parsing and one POST that turns
transport failures and status codes into :class:`RetryableSendError` or
:class:`PermanentSendError`."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from gridcase_events.kit.clock import Clock
from notify.channels.base import PermanentSendError, RetryableSendError, redact

# httpx logs every request at INFO ("HTTP Request: POST <url> …"): a line per SMS on
# top of the delivery's own, rendered as JSON on the send path, and for a group robot
# its URL carries the robot's key. Its warnings and errors still show.
logging.getLogger("httpx").setLevel(logging.WARNING)

#: Besides every 5xx, the statuses that mean "later, not never".
RETRY_STATUSES: frozenset[int] = frozenset({429})


class RobotThrottledError(RetryableSendError):
    """One group robot is over its own rate limit or quota. Worth retrying later, but
    not a sign that the provider's endpoint is down: a circuit breaker keyed by host
    does not count it (other robots on the same host still get through)."""


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


async def post(
    client: httpx.AsyncClient,
    url: str,
    *,
    content: bytes,
    headers: Mapping[str, str],
    clock: Clock,
    what: str,
    retry_statuses: Collection[int] = RETRY_STATUSES,
    echo: bool = True,
) -> httpx.Response:
    """POSTs `content`; returns the response when its status is 2xx.

    Timeouts, unreachable hosts, 5xx and `retry_statuses` raise
    :class:`RetryableSendError` (with ``Retry-After`` when the answer has one); any
    other status raises :class:`PermanentSendError`: another 4xx, and also a redirect,
    which is not followed (a POST must not be replayed elsewhere; configure the final
    URL). `what` names the provider in errors. With `echo`, a refusal quotes the first 200
    characters of the answer (phone numbers masked); without it (a URL an administrator
    typed in, which might reach something it should not), only the status code.
    """
    try:
        response = await client.post(url, content=content, headers=dict(headers))
    except httpx.TimeoutException as exc:
        raise RetryableSendError(f"{what} timed out: {type(exc).__name__}") from exc
    except httpx.TransportError as exc:
        raise RetryableSendError(f"{what} unreachable: {type(exc).__name__}") from exc
    status = response.status_code
    if status in retry_statuses or status >= 500:
        raise RetryableSendError(
            f"{what} answered {status}",
            retry_after=retry_after_seconds(response.headers.get("retry-after"), clock),
        )
    if not 200 <= status < 300:
        quoted = f" {redact(response.text)[:200]}" if echo else ""
        raise PermanentSendError(f"{what} refused the message: {status}{quoted}")
    return response


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The response body when it is a JSON object, else None."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def check_errcode(
    response: httpx.Response,
    *,
    what: str,
    retry_codes: Collection[int],
    throttle_codes: Collection[int] = (),
    throttle_retry_after: float = 60.0,
    echo: bool = True,
) -> dict[str, Any]:
    """Group robots (WeCom, DingTalk) answer HTTP 200 with ``{"errcode", "errmsg"}``:
    0 is success; `retry_codes` ("system busy") are worth retrying; `throttle_codes`
    (the robot's own rate limit, per minute) raise :class:`RobotThrottledError`, to be
    retried after `throttle_retry_after` seconds; any other code is the message's or
    the robot's configuration's fault. Returns the body on success. Without `echo`, errors
    name the code only, not the ``errmsg``."""
    data = json_object(response)
    if data is None:
        raise RetryableSendError(f"{what} answered {response.status_code} without a JSON object")
    code = data.get("errcode")
    if code == 0:
        return data
    reason = f"{what} errcode {code}"
    if echo:
        reason += f": {redact(str(data.get('errmsg', '')))[:200]}"
    if code in throttle_codes:
        raise RobotThrottledError(reason, retry_after=throttle_retry_after)
    if code in retry_codes:
        raise RetryableSendError(reason)
    raise PermanentSendError(reason)
