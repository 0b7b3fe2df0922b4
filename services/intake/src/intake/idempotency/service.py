"""``Idempotency-Key`` for intake's POST endpoints: the kit's sequence
(:mod:`gridcase_events.kit.idempotency`, which tells the rules) on intake's own keys.

Keys expire after ``INTAKE_IDEMPOTENCY_TTL_SECONDS`` (default 24 h).
"""

from __future__ import annotations

from gridcase_events.kit.idempotency import (
    HEADER,
    MAX_KEY_LENGTH,
    REPLAYED_HEADER,
    IdempotencyStore,
    InvalidKey,
    KeyReused,
    fingerprint,
    outcome,
    parse_key,
)
from intake.idempotency.models import idempotency_keys

__all__ = [
    "HEADER",
    "MAX_KEY_LENGTH",
    "REPLAYED_HEADER",
    "InvalidKey",
    "KeyReused",
    "begin",
    "complete",
    "fingerprint",
    "idempotent",
    "outcome",
    "parse_key",
    "store",
]

store = IdempotencyStore(service="intake", table=idempotency_keys)
begin = store.begin
complete = store.complete
idempotent = store.idempotent
