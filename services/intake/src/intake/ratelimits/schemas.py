from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """At most `limit` requests per fixed window of `window_seconds`, per key."""

    name: str
    limit: int
    window_seconds: int
