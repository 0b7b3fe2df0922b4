"""The deadlines projection: escalation's ``sla.clock_started`` / ``sla.warning`` /
``sla.breached``, and the case events on which escalation stops or pauses a clock
(services/escalation/src/escalation/consumers.py: accepted stops ``sign_for`` and
``ownership``, returned and transferred stop ``sign_for``, contacted stops
``first_contact``, resolved stops ``resolution``, suspended pauses it, evaluated stops
``callback``). Every change recomputes the case's nearest running deadline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.deadlines import repository, rules
from dispatch.deadlines.models import SlaClock
from gridcase_events import payloads


def _restart(clock: SlaClock, *, generation: int, started_at: datetime, due_at: datetime) -> None:
    clock.generation = generation
    clock.started_at = started_at
    clock.due_at = due_at
    clock.changed_at = started_at
    clock.warned_percent = 0
    clock.breached = False


async def _refresh(session: AsyncSession, case_id: UUID) -> None:
    clocks = await repository.clocks_of(session, case_id)
    await repository.set_deadline(session, case_id=case_id, clock=rules.nearest(clocks))


async def clock_started(session: AsyncSession, p: payloads.SlaClockStarted) -> None:
    """The latest wins: the highest generation, then the latest ``changed_at``."""
    clock = await repository.lock_clock(session, case_id=p.case_id, clock=p.clock)
    if p.generation < clock.generation:
        return
    if p.generation > clock.generation:
        _restart(clock, generation=p.generation, started_at=p.started_at, due_at=p.due_at)
    elif clock.changed_at is not None and clock.changed_at > p.changed_at:
        return
    clock.started_at = p.started_at
    clock.due_at = p.due_at
    clock.changed_at = p.changed_at
    if p.reason == "resumed" and (clock.resumed_at is None or clock.resumed_at < p.changed_at):
        clock.resumed_at = p.changed_at
    await _refresh(session, p.case_id)


async def _fired(session: AsyncSession, p: payloads.SlaWarning | payloads.SlaBreached) -> None:
    clock = await repository.lock_clock(session, case_id=p.case_id, clock=p.clock)
    if p.generation < clock.generation:
        return
    if p.generation > clock.generation:  # the start is still on its way
        _restart(clock, generation=p.generation, started_at=p.started_at, due_at=p.due_at)
    if isinstance(p, payloads.SlaWarning):
        clock.warned_percent = max(clock.warned_percent, p.percent)
    else:
        clock.breached = True
    await _refresh(session, p.case_id)


async def warned(session: AsyncSession, p: payloads.SlaWarning) -> None:
    await _fired(session, p)


async def breached(session: AsyncSession, p: payloads.SlaBreached) -> None:
    await _fired(session, p)


async def stopped(
    session: AsyncSession, *, case_id: UUID, clocks: Sequence[str], at: datetime
) -> None:
    for kind in clocks:
        clock = await repository.lock_clock(session, case_id=case_id, clock=kind)
        if clock.stopped_at is None or clock.stopped_at < at:
            clock.stopped_at = at
    await _refresh(session, case_id)


async def paused(session: AsyncSession, *, case_id: UUID, at: datetime) -> None:
    clock = await repository.lock_clock(session, case_id=case_id, clock="resolution")
    if clock.paused_at is None or clock.paused_at < at:
        clock.paused_at = at
    await _refresh(session, case_id)


async def resumed(session: AsyncSession, *, case_id: UUID, at: datetime) -> None:
    clock = await repository.lock_clock(session, case_id=case_id, clock="resolution")
    if clock.resumed_at is None or clock.resumed_at < at:
        clock.resumed_at = at
    await _refresh(session, case_id)
