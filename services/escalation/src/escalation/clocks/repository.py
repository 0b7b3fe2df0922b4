"""All of escalation's SQL about clocks and timers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Table,
    bindparam,
    column,
    delete,
    exists,
    func,
    inspect,
    or_,
    select,
    table,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, make_transient_to_detached

from escalation.clocks.models import CaseClock, Timer
from escalation.db import Base

_CLOCKS = cast(Table, CaseClock.__table__)
_CLOCK_COLUMNS = [(prop.key, prop.columns[0].key) for prop in inspect(CaseClock).column_attrs]
_ADD_CLOCKS = insert(_CLOCKS).returning(_CLOCKS.c.id, sort_by_parameter_order=True)


async def add_all(session: AsyncSession, clocks: Sequence[CaseClock]) -> None:
    """Adds new clocks in one plain statement, their ids read back with it; each is
    then as if loaded (outside the session: a later read in the transaction loads it
    afresh)."""
    if not clocks:
        return
    rows = [
        {column: getattr(clock, key) for key, column in _CLOCK_COLUMNS if key != "id"}
        for clock in clocks
    ]
    result = await session.execute(_ADD_CLOCKS, rows)
    for clock, clock_id in zip(clocks, result.scalars(), strict=True):
        clock.id = clock_id
        make_transient_to_detached(clock)


async def current(session: AsyncSession, *, case_id: UUID, kind: str) -> CaseClock | None:
    """The running or paused clock of this kind, locked for the update to come."""
    result = await session.execute(
        select(CaseClock)
        .where(
            CaseClock.case_id == case_id,
            CaseClock.kind == kind,
            CaseClock.status.in_(("running", "paused")),
        )
        .with_for_update()
    )
    return result.scalar_one_or_none()


_NEWEST_OF = (
    select(CaseClock)
    .where(
        CaseClock.case_id == bindparam("case_id"),
        tuple_(CaseClock.kind, CaseClock.generation).in_(
            select(CaseClock.kind, func.max(CaseClock.generation))
            .where(
                CaseClock.case_id == bindparam("case_id"),
                CaseClock.kind.in_(bindparam("kinds", expanding=True)),
            )
            .group_by(CaseClock.kind)
        ),
    )
    .with_for_update()
)


async def newest_of(
    session: AsyncSession, *, case_id: UUID, kinds: Sequence[str]
) -> dict[str, CaseClock]:
    """The newest generation of a clock of each kind, whatever its status, locked for
    the update to come (the open one, when one runs, is the newest), in one statement,
    by kind (a kind the case has no clock of is missing)."""
    result = await session.execute(_NEWEST_OF, {"case_id": case_id, "kinds": list(kinds)})
    return {clock.kind: clock for clock in result.scalars()}


async def last_generation(session: AsyncSession, *, case_id: UUID, kind: str) -> int:
    result = await session.execute(
        select(func.max(CaseClock.generation)).where(
            CaseClock.case_id == case_id, CaseClock.kind == kind
        )
    )
    return int(result.scalar_one_or_none() or 0)


async def of_case(session: AsyncSession, case_id: UUID) -> Sequence[CaseClock]:
    result = await session.execute(
        select(CaseClock).where(CaseClock.case_id == case_id).order_by(CaseClock.id)
    )
    return result.scalars().all()


async def overdue(
    session: AsyncSession,
    *,
    now: datetime,
    area_prefix: str | None,
    department_code: str | None,
    limit: int,
    district: str | None = None,
    kind: str | None = None,
) -> Sequence[CaseClock]:
    query = select(CaseClock).where(CaseClock.status == "running", CaseClock.due_at <= now)
    if kind is not None:
        # In the query, before the limit: a narrow kind is not crowded out by the others.
        query = query.where(CaseClock.kind == kind)
    if district is not None:
        query = query.where(CaseClock.district_code == district)
    if area_prefix is not None and department_code is not None:
        query = query.where(
            or_(
                CaseClock.grid_code.startswith(area_prefix, autoescape=True),
                CaseClock.department_code == department_code,
            )
        )
    elif area_prefix is not None:
        query = query.where(CaseClock.grid_code.startswith(area_prefix, autoescape=True))
    elif department_code is not None:
        query = query.where(CaseClock.department_code == department_code)
    result = await session.execute(query.order_by(CaseClock.due_at).limit(limit))
    return result.scalars().all()


_ADD_TIMERS = insert(Timer.__table__).on_conflict_do_nothing()  # type: ignore[arg-type]


async def add_timers(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Adds timers (a repeat of one already there is dropped), in one statement."""
    if rows:
        await session.execute(_ADD_TIMERS, list(rows))


async def fired_percents(session: AsyncSession, clock_id: int, epoch: int) -> set[int]:
    result = await session.execute(
        select(Timer.percent).where(
            Timer.clock_id == clock_id,
            Timer.epoch == epoch,
            Timer.kind == "threshold",
            Timer.status == "fired",
        )
    )
    return set(result.scalars())


async def fired_levels(session: AsyncSession, *, clock_id: int, epoch: int, kind: str) -> list[int]:
    result = await session.execute(
        select(Timer.level)
        .where(
            Timer.clock_id == clock_id,
            Timer.epoch == epoch,
            Timer.kind == kind,
            Timer.status == "fired",
        )
        .order_by(Timer.level)
    )
    return list(result.scalars())


async def cancel_pending_kind(session: AsyncSession, *, clock_id: int, kind: str) -> None:
    await session.execute(
        delete(Timer).where(
            Timer.clock_id == clock_id, Timer.kind == kind, Timer.status == "pending"
        )
    )


async def cancel_pending(session: AsyncSession, clock_id: int) -> None:
    """Cancels, and forgets, what has not fired: rescheduling writes them anew."""
    await session.execute(
        delete(Timer).where(Timer.clock_id == clock_id, Timer.status == "pending")
    )


async def claim_due(session: AsyncSession, *, now: datetime, limit: int) -> Sequence[Timer]:
    result = await session.execute(
        select(Timer)
        .where(Timer.status == "pending", Timer.due_at <= now)
        .order_by(Timer.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return result.scalars().all()


async def next_due(session: AsyncSession) -> datetime | None:
    result = await session.execute(select(func.min(Timer.due_at)).where(Timer.status == "pending"))
    return result.scalar_one_or_none()


async def pending_count(session: AsyncSession) -> int:
    result = await session.execute(
        select(func.count()).select_from(Timer).where(Timer.status == "pending")
    )
    return int(result.scalar_one())


async def get_clock(session: AsyncSession, clock_id: int) -> CaseClock | None:
    return await session.get(CaseClock, clock_id)


async def mark_fired(session: AsyncSession, timer_ids: Sequence[int], *, at: datetime) -> None:
    """Marks a batch fired, each with its own lateness, in one statement."""
    if timer_ids:
        await session.execute(
            update(Timer)
            .where(Timer.id.in_(timer_ids))
            .values(
                status="fired",
                fired_at=at,
                late_seconds=func.greatest(0.0, func.extract("epoch", at - Timer.due_at)),
            )
        )


async def latest(session: AsyncSession, *, case_id: UUID, kind: str) -> CaseClock | None:
    """The newest generation of a clock of this kind, whatever its status."""
    result = await session.execute(
        select(CaseClock)
        .where(CaseClock.case_id == case_id, CaseClock.kind == kind)
        .order_by(CaseClock.generation.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def overdue_at(
    session: AsyncSession, *, kind: str, area_prefix: str, at: datetime, limit: int
) -> Sequence[CaseClock]:
    """Clocks of this kind in the area that were running past their deadline at `at`
    (deadlines as they stand now, extensions included)."""
    result = await session.execute(
        select(CaseClock)
        .where(
            CaseClock.kind == kind,
            CaseClock.grid_code.startswith(area_prefix, autoescape=True),
            CaseClock.started_at <= at,
            CaseClock.due_at <= at,
            or_(CaseClock.stopped_at.is_(None), CaseClock.stopped_at > at),
            CaseClock.status != "paused",
        )
        .order_by(CaseClock.due_at)
        .limit(limit)
    )
    return result.scalars().all()


async def breached_between(
    session: AsyncSession, *, area_prefix: str, start: datetime, end: datetime
) -> Sequence[CaseClock]:
    result = await session.execute(
        select(CaseClock)
        .where(
            CaseClock.grid_code.startswith(area_prefix, autoescape=True),
            CaseClock.breached_at >= start,
            CaseClock.breached_at < end,
        )
        .order_by(CaseClock.breached_at)
    )
    return result.scalars().all()


def resolution_overdue(
    case_id: InstrumentedAttribute[UUID] | ColumnElement[UUID], *, now: datetime
) -> ColumnElement[bool]:
    """A condition for another domain's query: the case (`case_id`, a column of that
    query) has a running resolution clock past its deadline at `now`."""
    return exists().where(
        CaseClock.case_id == case_id,
        CaseClock.kind == "resolution",
        CaseClock.status == "running",
        CaseClock.due_at <= now,
    )


# The reports' projection of where each case is now (reports.models.CaseFact), read by
# name: the reports domain imports this one, so this one may not import it back.
_case_facts = table(
    "case_facts",
    column("case_id"),
    column("grid_code"),
    column("department_code"),
    column("district_code"),
    schema=Base.metadata.schema,
)


async def responsible_unit(
    session: AsyncSession, case_id: UUID
) -> tuple[str | None, str | None, str | None] | None:
    """The case's responsible grid, department and district now (the latest by case
    version, as the reports project them), or None when no event of it was seen."""
    row = (
        await session.execute(
            select(
                _case_facts.c.grid_code, _case_facts.c.department_code, _case_facts.c.district_code
            ).where(_case_facts.c.case_id == case_id)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])
