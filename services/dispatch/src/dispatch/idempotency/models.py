from __future__ import annotations

from dispatch.db import Base
from gridcase_events.kit.idempotency import idempotency_table

# The kit's table (gridcase_events.kit.idempotency), in dispatch's schema.
idempotency_keys = idempotency_table(Base.metadata)
