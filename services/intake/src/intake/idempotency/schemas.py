from __future__ import annotations

from gridcase_events.kit.idempotency import Key, Replay

__all__ = ["Key", "Replay"]
