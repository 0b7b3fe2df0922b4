"""Fixed-window rate limits with their counters in PostgreSQL (correct across replicas).

A fixed window lets a client send up to twice the limit around a window's edge; for
public wish walls that is acceptable and keeps one row per key and window.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit.errors import TooManyRequests
from intake.ratelimits import repository
from intake.ratelimits.schemas import Limit

REFUSED = Counter(
    "gridcase_intake_rate_limited_total",
    "Requests refused with 429, by the limit they exceeded",
    ["limit"],
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The longest window a limit may have (settings are capped at it): older counters are
# of no use to anyone.
MAX_WINDOW = timedelta(days=1)


class RateLimited(TooManyRequests):
    """A request over a limit (429 with ``Retry-After``)."""

    def __init__(self, *, limit: Limit, retry_after: int) -> None:
        super().__init__(
            f"too many requests: at most {limit.limit} per {limit.window_seconds} s "
            f"({limit.name}); retry in {retry_after} s",
            retry_after=retry_after,
        )
        self.limit = limit


def window_start(now: datetime, window_seconds: int) -> datetime:
    elapsed = (now - _EPOCH).total_seconds()
    return _EPOCH + timedelta(seconds=math.floor(elapsed / window_seconds) * window_seconds)


def retry_after(now: datetime, window_seconds: int) -> int:
    """Whole seconds until the current window ends (at least 1)."""
    end = window_start(now, window_seconds) + timedelta(seconds=window_seconds)
    return max(1, math.ceil((end - now).total_seconds()))


async def hit(
    *, session: AsyncSession, key: str, limit: Limit, now: datetime
) -> RateLimited | None:
    """Counts one request for `key`; past the limit, returns the refusal (not raised:
    the caller commits the count first, so refused requests count too)."""
    start = window_start(now, limit.window_seconds)
    count = await repository.increment(session, key=f"{limit.name}:{key}", window_start=start)
    if count == 1:
        # A new window: drop this key's old ones, and a few stale ones of other keys.
        await repository.forget_before(session, key=f"{limit.name}:{key}", window_start=start)
        await repository.purge_before(session, before=now - MAX_WINDOW * 2)
    if count > limit.limit:
        REFUSED.labels(limit.name).inc()
        return RateLimited(limit=limit, retry_after=retry_after(now, limit.window_seconds))
    return None


class BudgetExceeded(TooManyRequests):
    """An amount (e.g. bytes uploaded) over a budget per window (429 with ``Retry-After``)."""

    def __init__(self, *, limit: Limit, retry_after: int) -> None:
        super().__init__(
            f"over the budget of {limit.limit} per {limit.window_seconds} s ({limit.name}); "
            f"retry in {retry_after} s",
            retry_after=retry_after,
        )
        self.limit = limit


async def charge(
    *, session: AsyncSession, key: str, amount: int, limit: Limit, now: datetime
) -> BudgetExceeded | None:
    """Takes `amount` from `key`'s budget of ``limit.limit`` per window; if it does not
    fit, takes nothing and returns the refusal (refused amounts are not counted: they
    were not spent)."""
    start = window_start(now, limit.window_seconds)
    name = f"{limit.name}:{key}"
    if await repository.add_within(
        session, key=name, window_start=start, amount=amount, limit=limit.limit
    ):
        await repository.forget_before(session, key=name, window_start=start)
        return None
    REFUSED.labels(limit.name).inc()
    return BudgetExceeded(limit=limit, retry_after=retry_after(now, limit.window_seconds))
