from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Replay:
    """The stored outcome of the first request with a key."""

    status_code: int
    body: Any
