"""All of escalation's SQL about clocks and timers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    Table,
    Text,
    bindparam,
    column,
    delete,
    exists,
    func,
    inspect,
    or_,
    select,
    table,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, make_transient_to_detached

from escalation.clocks.models import CaseClock, Timer
from escalation.db import Base, schema
from gridcase_events import outbox
from gridcase_events.envelope import Envelope

_CLOCKS = cast(Table, CaseClock.__table__)
_CLOCK_COLUMNS = [(prop.key, prop.columns[0].key) for prop in inspect(CaseClock).column_attrs]


# New clocks, all their timers and their announcements in one statement (one round trip
# where an insert each takes three), built once: each table's rows as arrays, one a
# column, unnested in their order. A timer names its clock by kind (a start adds one
# clock of a kind at most); an announcement's payload and headers are JSON text.
_CLOCK_INSERT = [(key, column) for key, column in _CLOCK_COLUMNS if key != "id"]
_TIMER_INSERT = ("case_id", "kind", "percent", "level", "epoch", "due_at", "status")
_TIMERS = cast(Table, Timer.__table__)
_OUTBOX = schema.outbox
_ANNOUNCE_INSERT = ("event_id", "topic", "key", "event_type", "payload", "headers")


def _unnest(prefix: str, columns: Sequence[str]) -> str:
    return ", ".join(f":{prefix}{name}" for name in columns)


_ADD_STARTED = text(
    "WITH added AS ("  # noqa: S608 - names of our own tables and columns, values bound
    f" INSERT INTO {_CLOCKS.fullname} ({', '.join(c for _, c in _CLOCK_INSERT)})"
    f" SELECT {', '.join(c for _, c in _CLOCK_INSERT)}"
    f" FROM unnest({_unnest('c_', [c for _, c in _CLOCK_INSERT])}) WITH ORDINALITY"
    f" AS c({', '.join(c for _, c in _CLOCK_INSERT)}, n) ORDER BY n"
    " RETURNING id, kind),"
    f" timed AS (INSERT INTO {_TIMERS.fullname} (clock_id, {', '.join(_TIMER_INSERT)})"
    f" SELECT added.id, {', '.join('t.' + c for c in _TIMER_INSERT)}"
    f" FROM unnest(:t_clock_kind, {_unnest('t_', _TIMER_INSERT)}) WITH ORDINALITY"
    f" AS t(clock_kind, {', '.join(_TIMER_INSERT)}, n)"
    " JOIN added ON added.kind = t.clock_kind ORDER BY t.n"
    " ON CONFLICT DO NOTHING RETURNING 1),"
    f" announced AS (INSERT INTO {_OUTBOX.fullname} ({', '.join(_ANNOUNCE_INSERT)})"
    " SELECT o.event_id, o.topic, o.key, o.event_type, CAST(o.payload AS jsonb),"
    " CAST(o.headers AS jsonb)"
    f" FROM unnest({_unnest('o_', _ANNOUNCE_INSERT)}) WITH ORDINALITY"
    f" AS o({', '.join(_ANNOUNCE_INSERT)}, n) ORDER BY o.n RETURNING 1)"
    " SELECT id, kind FROM added"
).bindparams(
    *(bindparam(f"c_{c}", type_=ARRAY(_CLOCKS.c[c].type)) for _, c in _CLOCK_INSERT),
    bindparam("t_clock_kind", type_=ARRAY(String())),
    *(bindparam(f"t_{c}", type_=ARRAY(_TIMERS.c[c].type)) for c in _TIMER_INSERT),
    bindparam("o_event_id", type_=ARRAY(_OUTBOX.c.event_id.type)),
    *(bindparam(f"o_{c}", type_=ARRAY(Text())) for c in _ANNOUNCE_INSERT[1:]),
)
_ANNOUNCEMENT = outbox.row_insert(_OUTBOX, for_each="added")
"""Only for its parameters: an event as the values of an outbox row."""


async def add_started(
    session: AsyncSession,
    clocks: Sequence[CaseClock],
    timers: Sequence[dict[str, Any]],
    events: Sequence[Envelope],
) -> None:
    """Adds new clocks (of distinct kinds), their timers (rows of
    :data:`_TIMER_INSERT`'s columns and ``clock_kind``, the kind of their clock) and
    the events that announce them, in one statement; each clock is then as if loaded,
    its id read back (outside the session: a later read in the transaction loads it
    afresh)."""
    if not clocks:
        return
    if len({clock.kind for clock in clocks}) != len(clocks):
        raise ValueError("one new clock of a kind at most")
    announced = [_ANNOUNCEMENT.parameters(event) for event in events]
    values: dict[str, Any] = {
        **{f"c_{c}": [getattr(clock, key) for clock in clocks] for key, c in _CLOCK_INSERT},
        "t_clock_kind": [row["clock_kind"] for row in timers],
        **{f"t_{c}": [row[c] for row in timers] for c in _TIMER_INSERT},
        **{
            f"o_{c}": [row[f"outbox_{c}"] for row in announced]
            for c in _ANNOUNCE_INSERT
            if c != "headers"
        },
        "o_headers": [
            None if row["outbox_headers"] is None else json.dumps(row["outbox_headers"])
            for row in announced
        ],
    }
    ids = {kind: clock_id for clock_id, kind in await session.execute(_ADD_STARTED, values)}
    if announced:
        outbox.mark_written(session)
    for clock in clocks:
        clock.id = ids[clock.kind]
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
