"""The deadlines projection: escalation's ``sla.clock_started`` / ``sla.warning`` /
``sla.breached``, and the case events on which escalation stops or pauses a clock
(services/escalation/src/escalation/consumers.py: accepted stops ``sign_for`` and
``ownership``, returned and transferred stop ``sign_for``, contacted stops
``first_contact``, resolved stops ``resolution``, suspended pauses it, evaluated stops
``callback``).

Each event changes its clock's row in one statement, by the rules below (applied in the
statement, :mod:`dispatch.deadlines.repository`); the case's nearest running deadline is
recomputed once per transaction, when it commits, from all of the case's clocks — so a
consumer run that brings a case's two clocks of an assignment reads them once and writes
the deadline once, and an event handled on its own still commits with its deadline.

- ``sla.clock_started``: the latest wins: the highest generation, then the latest
  ``changed_at``; a new generation forgets the old one's warnings; a resume is kept.
- ``sla.warning`` / ``sla.breached``: of an older generation, ignored; of a newer one
  (its start still on its way), the clock restarts from what it says.
- stops, pauses and resumes: the latest time of each is kept; the times decide
  (:func:`dispatch.deadlines.rules.running`), so they may arrive before the start."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.deadlines import repository
from gridcase_events import payloads


async def clock_started(session: AsyncSession, p: payloads.SlaClockStarted) -> None:
    repository.start(
        session,
        case_id=p.case_id,
        clock=p.clock,
        generation=p.generation,
        started_at=p.started_at,
        due_at=p.due_at,
        changed_at=p.changed_at,
        resumed_at=p.changed_at if p.reason == "resumed" else None,
    )


async def warned(session: AsyncSession, p: payloads.SlaWarning) -> None:
    _fired(session, p, percent=p.percent, breached=False)


async def breached(session: AsyncSession, p: payloads.SlaBreached) -> None:
    _fired(session, p, percent=0, breached=True)


def _fired(
    session: AsyncSession,
    p: payloads.SlaWarning | payloads.SlaBreached,
    *,
    percent: int,
    breached: bool,
) -> None:
    repository.fired(
        session,
        case_id=p.case_id,
        clock=p.clock,
        generation=p.generation,
        started_at=p.started_at,
        due_at=p.due_at,
        percent=percent,
        breached=breached,
    )


async def stopped(
    session: AsyncSession, *, case_id: UUID, clocks: Sequence[str], at: datetime
) -> None:
    repository.stopped(session, case_id=case_id, clocks=clocks, at=at)


async def paused(session: AsyncSession, *, case_id: UUID, at: datetime) -> None:
    repository.paused(session, case_id=case_id, clock="resolution", at=at)


async def resumed(session: AsyncSession, *, case_id: UUID, at: datetime) -> None:
    repository.resumed(session, case_id=case_id, clock="resolution", at=at)
