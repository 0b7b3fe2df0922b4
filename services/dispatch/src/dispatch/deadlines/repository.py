"""All SQL of the deadlines projection."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.deadlines.models import CaseDeadline, SlaClock


async def lock_clock(session: AsyncSession, *, case_id: UUID, clock: str) -> SlaClock:
    """The clock's row, created empty if need be, locked for this transaction (the
    escalation and dispatch topics are read by one group, but replicas may hold their
    partitions apart). One round trip: an update on conflict locks the row as
    ``SELECT … FOR UPDATE`` would, and changes nothing (the generation is set to itself)."""
    upsert = (
        insert(SlaClock)
        .values(case_id=case_id, clock=clock, generation=0, warned_percent=0, breached=False)
        .on_conflict_do_update(
            index_elements=["case_id", "clock"], set_={"generation": SlaClock.generation}
        )
        .returning(SlaClock)
    )
    result = await session.scalars(
        select(SlaClock).from_statement(upsert).execution_options(populate_existing=True)
    )
    row: SlaClock = result.one()
    return row


async def clocks_of(session: AsyncSession, case_id: UUID) -> Sequence[SlaClock]:
    await session.flush()
    result = await session.execute(select(SlaClock).where(SlaClock.case_id == case_id))
    return result.scalars().all()


async def set_deadline(session: AsyncSession, *, case_id: UUID, clock: SlaClock | None) -> None:
    """Keeps the case's row of :class:`CaseDeadline` in step with its nearest clock."""
    if clock is None or clock.started_at is None or clock.due_at is None:
        await session.execute(delete(CaseDeadline).where(CaseDeadline.case_id == case_id))
        return
    values = {
        "clock": clock.clock,
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "warned_percent": clock.warned_percent,
        "breached": clock.breached,
    }
    await session.execute(
        insert(CaseDeadline)
        .values(case_id=case_id, **values)
        .on_conflict_do_update(index_elements=["case_id"], set_=values)
    )


async def deadline_of(session: AsyncSession, case_id: UUID) -> CaseDeadline | None:
    return await session.get(CaseDeadline, case_id, populate_existing=True)
