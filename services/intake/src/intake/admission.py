"""Admission control at the edge (issue 18): a bounded number of hotline pushes in
flight. Past the bound a push is answered 503 with ``Retry-After`` before any work is
done, by :class:`PushAdmission`, an ASGI middleware outside the rest of the app: no
routing, request context, body, signature, dependency or connection is touched for a
refused push. The hotline retries with the same ``ticket_no``, which is idempotent
(README, "12345 hotline push").

The bound on pushes in flight does not see a process short of CPU: then every push,
admitted or not, waits in the event loop's queue, and under a burst pushes went
unanswered for a minute with few in flight. So a push is also refused while the event
loop runs late by more than ``INTAKE_MAX_LOOP_LAG_MS`` (:class:`LoopLag`, a timer that
notes how late it fires): a refusal does no work, so the process takes on less while
it is behind. Under a burst on a machine short of CPU, most of a push's wait is before
the process reads it at all, in the kernel's listen queue, where no bound in the process
sees it (docs/benchmarks.md, "the push's edge"); with ``INTAKE_MAX_PUSH_AGE_SECONDS``
a push signed longer ago than that is refused as soon as it is read, so the queue
drains at the cost of a 503 each. A refusal is answered outside the request context:
no access-log line or request metric, but the counters below; it still carries the
push's ``X-Correlation-Id`` (or a new one), so the hotline's retry can be traced."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Collection

from prometheus_client import Counter, Gauge
from starlette.types import ASGIApp, Receive, Scope, Send

from gridcase_events.kit import signing
from gridcase_events.kit.errors import Unavailable
from gridcase_events.kit.http import CORRELATION_HEADER, correlation_id_of

REFUSED = Counter(
    "gridcase_intake_pushes_refused_total",
    "Hotline pushes answered 503 because INTAKE_MAX_IN_FLIGHT were already in flight",
)
IN_FLIGHT = Gauge("gridcase_intake_pushes_in_flight", "Hotline pushes being handled now")
REFUSED_STALE = Counter(
    "gridcase_intake_pushes_refused_stale_total",
    "Hotline pushes answered 503 because they were signed longer ago than "
    "INTAKE_MAX_PUSH_AGE_SECONDS when intake got to them",
)
REFUSED_LATE = Counter(
    "gridcase_intake_pushes_refused_late_total",
    "Hotline pushes answered 503 because the event loop ran later than INTAKE_MAX_LOOP_LAG_MS",
)


class LoopLag:
    """How late the running event loop is, in seconds: a timer every `interval` seconds
    notes how late it fired; while it is overdue, the time it is overdue counts. Started
    on the first reading, in the loop that reads it (a plain timer: nothing to stop)."""

    def __init__(self, *, interval: float = 0.05) -> None:
        self.interval = interval
        self._loop: asyncio.AbstractEventLoop | None = None
        self._due = 0.0
        self._last = 0.0

    def __call__(self) -> float:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._last = loop, 0.0
            self._schedule(loop)
        return max(self._last, loop.time() - self._due)

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        self._due = loop.time() + self.interval
        loop.call_at(self._due, self._tick, loop)

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        if loop is not self._loop or loop.is_closed():
            return
        self._last = max(0.0, loop.time() - self._due)
        self._schedule(loop)


class InFlight:
    """A counter with a bound, for one process (each replica admits its own share).
    `max_lag` (seconds, 0: off): pushes are also refused while `lag()` (how late the
    event loop is, :class:`LoopLag`) is beyond it. `max_age` (seconds, 0: off): and
    a push signed longer ago than that by `now()` (unix seconds): it waited in the
    listen queue of a process short of CPU, and its sender has likely given up."""

    def __init__(
        self,
        *,
        limit: int,
        retry_after: int,
        max_lag: float = 0.0,
        lag: Callable[[], float] | None = None,
        max_age: float = 0.0,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.retry_after = retry_after
        self.max_lag = max_lag
        self.lag: Callable[[], float] = lag if lag is not None else LoopLag()
        self.max_age = max_age
        self.now = now
        self.count = 0

    def refusal(self, signed_at: float | None = None) -> Unavailable | None:
        """Why a push arriving now (signed at `signed_at`, unix seconds, if known) is
        refused (503 with ``Retry-After``), or None when there is room for it, the
        event loop is on time and the push is fresh."""
        if self.max_age > 0 and signed_at is not None:
            waited = self.now() - signed_at
            if waited > self.max_age:
                REFUSED_STALE.inc()
                return Unavailable(
                    f"busy: the push was signed {waited:.0f} s ago; retry with the same ticket_no",
                    retry_after=self.retry_after,
                )
        if self.count >= self.limit:
            REFUSED.inc()
            return Unavailable(
                f"busy: {self.limit} pushes in flight; retry with the same ticket_no",
                retry_after=self.retry_after,
            )
        if self.max_lag > 0 and (late := self.lag()) > self.max_lag:
            REFUSED_LATE.inc()
            return Unavailable(
                f"busy: answering {late * 1000:.0f} ms late; retry with the same ticket_no",
                retry_after=self.retry_after,
            )
        return None


_SIGNATURE = signing.HEADER.lower().encode("latin-1")


def signed_at(scope: Scope) -> float | None:
    """The ``t=`` of the push's signature header (unix seconds), unchecked: the
    endpoint verifies the signature; a push refused here is only answered sooner."""
    for name, value in scope["headers"]:
        if name == _SIGNATURE:
            for part in value.split(b","):
                key, _, number = part.strip().partition(b"=")
                if key == b"t" and number.isdigit():
                    return float(number)
            return None
    return None


class PushAdmission:
    """The bound as ASGI middleware, outside everything else of the app (routing, the
    request context, body reading, dependencies, the database): a push to one of
    `paths` that :meth:`InFlight.refusal` refuses is answered 503 from here, its body
    unread, so a refusal costs a few microseconds of the loop, not a request's worth of
    work; an admitted one holds its place until its answer is sent."""

    def __init__(self, app: ASGIApp, *, pushes: InFlight, paths: Collection[str]) -> None:
        self.app = app
        self.pushes = pushes
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        refused = self.pushes.refusal(signed_at(scope))
        if refused is not None:
            body = json.dumps(refused.body(), ensure_ascii=False).encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (CORRELATION_HEADER.encode(), correlation_id_of(scope).encode()),
                *(
                    (k.lower().encode("latin-1"), v.encode("latin-1"))
                    for k, v in refused.headers.items()
                ),
            ]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        self.pushes.count += 1
        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            self.pushes.count -= 1
            IN_FLIGHT.dec()
