from __future__ import annotations

from gridcase_events.kit.idempotency import idempotency_table
from intake.db import Base

# The kit's table (gridcase_events.kit.idempotency), in intake's schema.
idempotency_keys = idempotency_table(Base.metadata)
