"""The timer scheduler: fires due timers, each exactly once, across replicas.

Deadlines live in PostgreSQL, indexed by due time. Each round claims due timers with
``FOR UPDATE SKIP LOCKED``, marks them fired and writes the outgoing event to the outbox
in **one** transaction, so several replicas never fire one twice and a crash never loses
one. After downtime, overdue timers fire at once, carrying how late they are.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any

import structlog
from prometheus_client import Gauge, Histogram
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.calendar import service as calendar_service
from escalation.clocks import repository
from escalation.clocks.models import CaseClock, Timer
from escalation.deps import EscalationRuntime
from escalation.ladder import service as ladder
from escalation.ladder.models import LadderLevel
from escalation.supervision import service as supervision
from gridcase_events import payloads
from gridcase_events.kit.runtime import Worker

log = structlog.get_logger(__name__)

TIMER_LATENESS = Histogram(
    "gridcase_timer_lateness_seconds",
    "How long after its due time a timer fired",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)
TIMER_BACKLOG = Gauge("gridcase_timer_backlog", "Timers pending (not yet due or not yet fired)")


class TimerScheduler(Worker):
    def __init__(self, *, runtime: EscalationRuntime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self._stop = asyncio.Event()
        self.fired = 0

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                fired = await self.run_once()
                wait = 0.0 if fired == self.settings.scheduler_batch else await self._idle_for()
            except Exception:
                log.exception("timer scheduler failed; retrying")
                wait = self.settings.scheduler_poll_seconds
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=wait)

    async def _idle_for(self) -> float:
        """Until the next timer is due, at most one poll interval (a new timer may be
        written by a consumer at any time)."""
        # A background worker, not a request: it opens its own (read-only) session.
        async with self.runtime.sessionmaker() as session:
            upcoming = await repository.next_due(session)
            TIMER_BACKLOG.set(await repository.pending_count(session))
        poll = self.settings.scheduler_poll_seconds
        if upcoming is None:
            return poll
        return max(0.01, min(poll, (upcoming - self.runtime.clock.now()).total_seconds()))

    async def _event(
        self,
        session: AsyncSession,
        timer: Timer,
        clock: CaseClock,
        ref: dict[str, Any],
        now: datetime,
    ) -> BaseModel | None:
        """What a fired timer announces; it also schedules what follows (rungs, reminders)."""
        if timer.kind == "threshold" and timer.percent < 100:
            return payloads.SlaWarning(**ref, percent=timer.percent)
        if timer.kind == "threshold":
            clock.breached_at = timer.due_at
            await ladder.schedule_rungs(session, clock=clock, breach_due=timer.due_at)
            if clock.kind == "resolution":
                await self._yellow_card(session, clock, timer.due_at, now)
            return payloads.SlaBreached(**ref)
        if timer.kind == "supervision":
            await supervision.issue(
                session=session,
                runtime=self.runtime,
                clock=clock,
                card="red",
                source="auto",
                reason=f"still unresolved {self.settings.red_card_working_days} working days after its deadline",
                issued_by="system",
                at=now,
                correlation_id=clock.correlation_id,
            )
            return None
        return await self._escalate(session, timer, clock, ref, now)

    async def _escalate(
        self,
        session: AsyncSession,
        timer: Timer,
        clock: CaseClock,
        ref: dict[str, Any],
        now: datetime,
    ) -> payloads.CaseEscalated | None:
        """A rung of the ladder reached (an escalation timer) or a reminder (催办) to the
        highest rung reached; the next reminder is scheduled."""
        unit = ladder.unit_of(clock)
        number = (
            timer.level
            if timer.kind == "escalation"
            else await ladder.highest_rung(session, clock=clock)
        )
        rung = await ladder.level(session, unit, number)
        if rung is None:
            return None
        urge_every = timedelta(minutes=self.settings.urge_interval_minutes)
        await ladder.schedule_next_urge(session, clock=clock, now=now, interval=urge_every)
        buck_passing = clock.kind == "ownership"
        # The ladder climbs inside the case's own district (its centre, not another's).
        tenant = clock.district_code or self.settings.tenant
        targets = await ladder.targets(session, rung=rung, clock=clock, tenant=tenant)
        if buck_passing and clock.assignee_id in targets:
            # The first owner is on this rung: their superior is the one above.
            targets = [t for t in targets if t != clock.assignee_id] or await ladder.superiors_of(
                session, rung=rung, clock=clock, tenant=tenant
            )
        return payloads.CaseEscalated(
            **ref,
            level=rung.level,
            urge=0 if timer.kind == "escalation" else timer.level,
            buck_passing=buck_passing,
            target_role=rung.role,
            target_staff_ids=targets,
            reason=_reason(timer, clock, rung, now),
        )

    async def _yellow_card(
        self, session: AsyncSession, clock: CaseClock, breach: datetime, now: datetime
    ) -> None:
        """A yellow card at the breach; a red card if still open some working days on."""
        await supervision.issue(
            session=session,
            runtime=self.runtime,
            clock=clock,
            card="yellow",
            source="auto",
            reason=f"the resolution deadline {clock.due_at.isoformat()} passed",
            issued_by="system",
            at=now,
            correlation_id=clock.correlation_id,
        )
        work = await calendar_service.load(session, self.settings)
        red = work.deadline(breach, self.settings.red_card_working_days, "working_days")
        await repository.add_timers(
            session,
            [
                {
                    "clock_id": clock.id,
                    "case_id": clock.case_id,
                    "kind": "supervision",
                    "percent": 100,
                    "level": 2,
                    "epoch": clock.epoch,
                    "due_at": red,
                    "status": "pending",
                }
            ],
        )

    async def run_once(self) -> int:
        """Fires every due timer it can claim (one batch); returns how many."""
        now = self.runtime.clock.now()
        # A background worker: each round is its own unit of work (claim, fire, outbox).
        async with self.runtime.transaction() as session:
            timers = await repository.claim_due(
                session, now=now, limit=self.settings.scheduler_batch
            )
            await repository.mark_fired(session, [t.id for t in timers], at=now)
            for timer in timers:
                late = max(0.0, (now - timer.due_at).total_seconds())
                clock = await repository.get_clock(session, timer.clock_id)
                if clock is None or clock.status != "running" or timer.epoch != clock.epoch:
                    continue  # stopped, paused or extended meanwhile: nothing to announce
                ref = {
                    "case_id": clock.case_id,
                    "tracking_no": clock.tracking_no,
                    "clock": clock.kind,
                    "generation": clock.generation,
                    "started_at": clock.started_at,
                    "due_at": clock.due_at,
                    "priority": clock.priority,
                    "category_code": clock.category_code,
                    "grid_code": clock.grid_code,
                    "department_code": clock.department_code,
                    "assignee_id": clock.assignee_id,
                    "fired_at": now,
                    "late_seconds": late,
                }
                event = await self._event(session, timer, clock, ref, now)
                if event is None:
                    continue
                await self.runtime.emit(
                    session,
                    event,
                    subject=str(clock.case_id),
                    correlation_id=clock.correlation_id,
                    tenant=clock.district_code,
                )
                TIMER_LATENESS.observe(late)
        if timers:
            worst = max((now - t.due_at).total_seconds() for t in timers)
            if worst > 1:
                log.warning(
                    "timers fired late", count=len(timers), worst_late_seconds=round(worst, 3)
                )
        self.fired += len(timers)
        return len(timers)


def _reason(timer: Timer, clock: CaseClock, rung: LadderLevel, now: datetime) -> str:
    """Why the case reaches this rung, in a sentence for the people on it."""
    overdue = now - clock.due_at
    if clock.kind == "ownership":
        handoffs = clock.generation
        reason = (
            f"no accepted owner for {_span(now - clock.started_at)} after {handoffs} hand-off(s); "
            f"the first owner {clock.assignee_id or '(none)'} stays accountable (首问负责制)"
        )
        if rung.role in ("district_center", "dispatcher"):
            reason += ": please assign it by order (指定)"
        return reason
    if timer.kind == "escalation":
        return (
            f"the {clock.kind} deadline passed {_span(overdue)} ago: rung {rung.level}, {rung.role}"
        )
    return f"reminder {timer.level} (催办): {clock.kind} overdue by {_span(overdue)}"


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    return (
        " ".join(f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "min")) if n) or "0min"
    )
