from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Replay:
    """The stored outcome of the first request with a key."""

    status_code: int
    body: Any


@dataclass(frozen=True)
class Key:
    """One request's Idempotency-Key, with what the fingerprint covers besides the
    payload (method and path), the request's time and how long the key is kept."""

    value: str
    method: str
    path: str
    now: datetime
    ttl: timedelta
