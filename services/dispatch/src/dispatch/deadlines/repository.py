"""All SQL of the deadlines projection.

Every statement here is built once, at import, with its values bound at execution: two
``sla.clock_started`` reach this projection for each assignment, and building (and
cache-keying) four statements per event cost more than running them (docs/benchmarks.md,
"dispatch profiled inside the pipeline")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast
from uuid import UUID

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.deadlines.models import CaseDeadline, SlaClock

_DEADLINES = cast(Table, CaseDeadline.__table__)

# An update on conflict locks the row as ``SELECT … FOR UPDATE`` would, and changes
# nothing (the generation is set to itself).
_LOCK = (
    select(SlaClock)
    .from_statement(
        insert(SlaClock)
        .values(
            case_id=bindparam("p_case_id"),
            clock=bindparam("p_clock"),
            generation=0,
            warned_percent=0,
            breached=False,
        )
        .on_conflict_do_update(
            index_elements=["case_id", "clock"], set_={"generation": SlaClock.generation}
        )
        .returning(SlaClock)
    )
    .execution_options(populate_existing=True)
)
_CLOCKS_OF = select(SlaClock).where(SlaClock.case_id == bindparam("p_case_id"))
_DEADLINE_COLUMNS = ("clock", "started_at", "due_at", "warned_percent", "breached")
_NEW_DEADLINE = insert(_DEADLINES).values(
    case_id=bindparam("p_case_id"),
    **{name: bindparam(f"p_{name}", type_=_DEADLINES.c[name].type) for name in _DEADLINE_COLUMNS},
)
_SET_DEADLINE = _NEW_DEADLINE.on_conflict_do_update(
    index_elements=["case_id"],
    set_={name: _NEW_DEADLINE.excluded[name] for name in _DEADLINE_COLUMNS},
)
_NO_DEADLINE = delete(_DEADLINES).where(_DEADLINES.c.case_id == bindparam("p_case_id"))


async def lock_clock(session: AsyncSession, *, case_id: UUID, clock: str) -> SlaClock:
    """The clock's row, created empty if need be, locked for this transaction (the
    escalation and dispatch topics are read by one group, but replicas may hold their
    partitions apart). One round trip."""
    result = await session.scalars(_LOCK, {"p_case_id": case_id, "p_clock": clock})
    row: SlaClock = result.one()
    return row


async def clocks_of(session: AsyncSession, case_id: UUID) -> Sequence[SlaClock]:
    await session.flush()
    result = await session.execute(_CLOCKS_OF, {"p_case_id": case_id})
    return result.scalars().all()


async def set_deadline(session: AsyncSession, *, case_id: UUID, clock: SlaClock | None) -> None:
    """Keeps the case's row of :class:`CaseDeadline` in step with its nearest clock."""
    if clock is None or clock.started_at is None or clock.due_at is None:
        await session.execute(_NO_DEADLINE, {"p_case_id": case_id})
        return
    await session.execute(
        _SET_DEADLINE,
        {
            "p_case_id": case_id,
            "p_clock": clock.clock,
            "p_started_at": clock.started_at,
            "p_due_at": clock.due_at,
            "p_warned_percent": clock.warned_percent,
            "p_breached": clock.breached,
        },
    )


async def deadline_of(session: AsyncSession, case_id: UUID) -> CaseDeadline | None:
    return await session.get(CaseDeadline, case_id, populate_existing=True)
