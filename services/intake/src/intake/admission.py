"""Admission control at the edge (issue 18): a bounded number of hotline pushes in
flight. Past the bound a push is answered 503 with ``Retry-After`` before any work is
done (no body read, no signature checked, no connection taken), instead of queueing
without bound for the database pool: the hotline retries with the same ``ticket_no``,
which is idempotent (README, "12345 hotline push")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Gauge

from gridcase_events.kit.errors import Unavailable

REFUSED = Counter(
    "gridcase_intake_pushes_refused_total",
    "Hotline pushes answered 503 because INTAKE_MAX_IN_FLIGHT were already in flight",
)
IN_FLIGHT = Gauge("gridcase_intake_pushes_in_flight", "Hotline pushes being handled now")


class InFlight:
    """A counter with a bound, for one process (each replica admits its own share)."""

    def __init__(self, *, limit: int, retry_after: int) -> None:
        self.limit = limit
        self.retry_after = retry_after
        self.count = 0

    @contextmanager
    def admit(self) -> Iterator[None]:
        """Holds a place while the block runs; raises 503 when none is free."""
        if self.count >= self.limit:
            REFUSED.inc()
            raise Unavailable(
                f"busy: {self.limit} pushes in flight; retry with the same ticket_no",
                retry_after=self.retry_after,
            )
        self.count += 1
        IN_FLIGHT.inc()
        try:
            yield
        finally:
            self.count -= 1
            IN_FLIGHT.dec()
