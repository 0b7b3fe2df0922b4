"""Signed webhooks: ``X-Gridcase-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``
over ``"<t>.<raw body>"`` (README, the 12345 push). Used for the 12345 hotline push (verified),
the callbacks notify sends (signed), and the SMS gateway requests."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime

HEADER = "X-Gridcase-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The request is not signed by a known secret within the tolerance."""


def compute(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def sign(secret: str, body: bytes, *, now: datetime) -> str:
    """The header value for `body` signed at `now`."""
    timestamp = int(now.timestamp())
    return f"t={timestamp},v1={compute(secret, timestamp, body)}"


def verify(
    header: str | None,
    body: bytes,
    *,
    secrets: Sequence[str],
    now: datetime,
    tolerance: int = TOLERANCE_SECONDS,
) -> None:
    """Raises :class:`SignatureError` unless one of `secrets` signed `body` recently.

    Several secrets are accepted at once so they can be rotated without downtime; a
    header may carry several ``v1`` values for the same reason.
    """
    if not header:
        raise SignatureError(f"missing {HEADER} header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            # Unix seconds, in ASCII digits: 12 digits reach past the year 30000, and a
            # longer number would not even compare with the clock (OverflowError).
            if not (value.isascii() and value.isdigit() and len(value) <= 12):
                raise SignatureError("malformed timestamp in signature")
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value.lower())
    if timestamp is None or not candidates:
        raise SignatureError("signature header needs t=<unix seconds>,v1=<hex>")
    if abs(now.timestamp() - timestamp) > tolerance:
        raise SignatureError(f"signature timestamp is more than {tolerance} s away")
    for secret in secrets:
        expected = compute(secret, timestamp, body)
        if any(hmac.compare_digest(expected, c) for c in candidates):
            return
    raise SignatureError("signature does not match")
