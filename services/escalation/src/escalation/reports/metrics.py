"""Service-quality metrics (issue 7). Names are a contract with the dashboards and
alert rules: change them only together.

A missing street or department is the label value ``none``. The gauges are computed
from the database (so several replicas report the same figures) by
:class:`QualityGauges` every ``ESCALATION_REPORT_METRICS_SECONDS``; the histograms and
counters move when the projection first records an acceptance, a resolution, a return
or a reopening, after its transaction commits (a redelivered event is skipped by the
inbox and moves nothing)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import structlog
from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.deps import EscalationRuntime
from escalation.reports import repository
from gridcase_events.kit.runtime import Worker

log = structlog.get_logger(__name__)

NONE = "none"
UNIT_LABELS = ["street", "department"]
# From a few minutes (urgent cases) to a few weeks (working-day limits).
DURATION_BUCKETS = (
    60,
    300,
    900,
    1800,
    3600,
    7200,
    4 * 3600,
    8 * 3600,
    86400,
    2 * 86400,
    3 * 86400,
    7 * 86400,
    14 * 86400,
    30 * 86400,
)

CASES_OPEN = Gauge("gridcase_cases_open", "Cases not closed (nor withdrawn or merged)", UNIT_LABELS)
CASES_OVERDUE = Gauge(
    "gridcase_cases_overdue",
    "Open cases whose running resolution clock is past its deadline",
    UNIT_LABELS,
)
CASES_ESCALATED = Gauge(
    "gridcase_cases_escalated", "Open cases that have climbed the escalation ladder", UNIT_LABELS
)
TIME_TO_ACCEPT = Histogram(
    "gridcase_case_time_to_accept_seconds",
    "From receipt to the first acceptance (签收)",
    ["priority"],
    buckets=DURATION_BUCKETS,
)
TIME_TO_RESOLVE = Histogram(
    "gridcase_case_time_to_resolve_seconds",
    "From receipt to the first resolution (办结)",
    ["priority"],
    buckets=DURATION_BUCKETS,
)
RETURNS = Counter("gridcase_case_returns_total", "Cases handed back (退单)", UNIT_LABELS)
REOPENINGS = Counter("gridcase_case_reopenings_total", "Cases reopened", UNIT_LABELS)


def label(value: str | None) -> str:
    return value or NONE


def after_commit(session: AsyncSession, action: Callable[[], None]) -> None:
    """Runs `action` once the session's transaction has committed (not on a rollback)."""
    event.listen(session.sync_session, "after_commit", lambda _session: action(), once=True)


_shown: set[tuple[str, str]] = set()


async def refresh(session: AsyncSession, *, runtime: EscalationRuntime) -> None:
    """Sets every (street, department) that has open cases, and removes those that no
    longer have any (without a moment in which a scrape would see none)."""
    rows = await repository.open_by_unit(session, now=runtime.clock.now())
    current = set()
    for row in rows:
        labels = (label(row.street_code), label(row.department_code))
        current.add(labels)
        CASES_OPEN.labels(*labels).set(row.open)
        CASES_OVERDUE.labels(*labels).set(row.overdue)
        CASES_ESCALATED.labels(*labels).set(row.escalated)
    for labels in _shown - current:
        for gauge in (CASES_OPEN, CASES_OVERDUE, CASES_ESCALATED):
            with contextlib.suppress(KeyError):
                gauge.remove(*labels)
    _shown.clear()
    _shown.update(current)


class QualityGauges(Worker):
    """Refreshes the open/overdue/escalated gauges from the database at an interval."""

    def __init__(self, *, runtime: EscalationRuntime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run_once(self) -> None:
        # A background worker, not a request: it opens its own (read-only) session.
        async with self.runtime.sessionmaker() as session:
            await refresh(session, runtime=self.runtime)

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("service-quality gauges failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._stop.wait(), timeout=self.settings.report_metrics_seconds
                )
