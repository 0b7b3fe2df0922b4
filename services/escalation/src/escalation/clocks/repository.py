"""All of escalation's SQL about clocks and timers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
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
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from escalation.clocks.models import CaseClock, Timer
from escalation.db import Base, schema
from gridcase_events import outbox
from gridcase_events.envelope import Envelope

_CLOCKS = cast(Table, CaseClock.__table__)
_CLOCK_COLUMNS = [(prop.key, prop.columns[0].key) for prop in inspect(CaseClock).column_attrs]


# A start of clocks in one statement (one round trip where reading the newest, adding
# the clocks, their timers and their announcements takes four), built once: the newest
# generation of each kind, locked; those of the kinds to restart stopped (their pending
# timers cancelled) when open; a new generation of every kind to restart and of every
# other kind with none open; the new clocks' timers (a timer names its clock by kind: a
# start adds one clock of a kind at most) and announcements (their generation set in
# the payload). Each table's rows as arrays, one a column, unnested in their order.
_CLOCK_INSERT = [(key, column) for key, column in _CLOCK_COLUMNS if key not in ("id", "generation")]
_TIMER_INSERT = ("case_id", "kind", "percent", "level", "epoch", "due_at", "status")
_TIMERS = cast(Table, Timer.__table__)
_OUTBOX = schema.outbox
_ANNOUNCE_INSERT = ("event_id", "topic", "key", "event_type", "payload", "headers")
_OPEN = "('running', 'paused')"


def _names(columns: Sequence[str], prefix: str = "") -> str:
    return ", ".join(f"{prefix}{name}" for name in columns)


_CLOCK_NAMES = [column for _, column in _CLOCK_INSERT]
_START = text(
    "WITH newest AS ("  # noqa: S608 - names of our own tables and columns, values bound
    f"SELECT c.id, c.kind, c.generation, c.status FROM {_CLOCKS.fullname} c"
    " WHERE c.case_id = :case_id AND (c.kind, c.generation) IN ("
    f" SELECT kind, max(generation) FROM {_CLOCKS.fullname}"
    " WHERE case_id = :case_id AND kind = ANY(:kinds) GROUP BY kind) FOR UPDATE),"
    f" restarted AS (UPDATE {_CLOCKS.fullname} AS r SET status = 'stopped',"
    " stopped_at = :at, stop_reason = 'restarted', updated_at = :at FROM newest"
    f" WHERE r.id = newest.id AND newest.status IN {_OPEN} AND newest.kind = ANY(:restart)"
    " RETURNING r.id),"
    f" cancelled AS (DELETE FROM {_TIMERS.fullname} AS t USING restarted"
    " WHERE t.clock_id = restarted.id AND t.status = 'pending' RETURNING 1),"
    f" added AS (INSERT INTO {_CLOCKS.fullname} ({_names(_CLOCK_NAMES)}, generation)"
    f" SELECT {_names(_CLOCK_NAMES, 'c.')}, coalesce(newest.generation, 0) + 1"
    f" FROM unnest({_names(_CLOCK_NAMES, ':c_')}) WITH ORDINALITY"
    f" AS c({_names(_CLOCK_NAMES)}, n) LEFT JOIN newest ON newest.kind = c.kind"
    f" WHERE newest.kind IS NULL OR newest.status NOT IN {_OPEN} OR c.kind = ANY(:restart)"
    " ORDER BY c.n RETURNING id, kind, generation),"
    f" timed AS (INSERT INTO {_TIMERS.fullname} (clock_id, {_names(_TIMER_INSERT)})"
    f" SELECT added.id, {_names(_TIMER_INSERT, 't.')}"
    f" FROM unnest(:t_clock_kind, {_names(_TIMER_INSERT, ':t_')}) WITH ORDINALITY"
    f" AS t(clock_kind, {_names(_TIMER_INSERT)}, n)"
    " JOIN added ON added.kind = t.clock_kind ORDER BY t.n"
    " ON CONFLICT DO NOTHING RETURNING 1),"
    f" announced AS (INSERT INTO {_OUTBOX.fullname} ({_names(_ANNOUNCE_INSERT)})"
    " SELECT o.event_id, o.topic, o.key, o.event_type,"
    " jsonb_set(CAST(o.payload AS jsonb), '{data,generation}', to_jsonb(added.generation)),"
    " CAST(o.headers AS jsonb)"
    f" FROM unnest(:o_clock_kind, {_names(_ANNOUNCE_INSERT, ':o_')}) WITH ORDINALITY"
    f" AS o(clock_kind, {_names(_ANNOUNCE_INSERT)}, n)"
    " JOIN added ON added.kind = o.clock_kind ORDER BY o.n RETURNING 1)"
    " SELECT true AS added, id, kind, generation, 'running' AS status FROM added"
    " UNION ALL SELECT false, id, kind, generation, status FROM newest"
).bindparams(
    bindparam("case_id", type_=_CLOCKS.c.case_id.type),
    bindparam("kinds", type_=ARRAY(String())),
    bindparam("restart", type_=ARRAY(String())),
    bindparam("at", type_=_CLOCKS.c.stopped_at.type),
    *(bindparam(f"c_{c}", type_=ARRAY(_CLOCKS.c[c].type)) for c in _CLOCK_NAMES),
    bindparam("t_clock_kind", type_=ARRAY(String())),
    *(bindparam(f"t_{c}", type_=ARRAY(_TIMERS.c[c].type)) for c in _TIMER_INSERT),
    bindparam("o_clock_kind", type_=ARRAY(String())),
    bindparam("o_event_id", type_=ARRAY(_OUTBOX.c.event_id.type)),
    *(bindparam(f"o_{c}", type_=ARRAY(Text())) for c in _ANNOUNCE_INSERT[1:]),
)
_ANNOUNCEMENT = outbox.row_insert(_OUTBOX, for_each="added")
"""Only for its parameters: an event as the values of an outbox row."""


@dataclass(frozen=True)
class Started:
    """What :func:`start` found and did, by kind."""

    added: dict[str, tuple[int, int]]
    """The new clocks' ids and generations."""
    newest: dict[str, tuple[int, int, str]]
    """The newest clock of each kind before, as it was: id, generation, status."""


async def start(
    session: AsyncSession,
    *,
    case_id: UUID,
    kinds: Sequence[str],
    restart: Sequence[str],
    at: datetime,
    clocks: Sequence[CaseClock],
    timers: Sequence[dict[str, Any]],
    events: Sequence[tuple[str, Envelope]],
) -> Started:
    """Starts clocks of the case in one statement (:data:`_START`): of each of `kinds`,
    the newest generation is read, locked; of the kinds to `restart`, an open one is
    stopped at `at` and a new generation added; of the others, one is added when none
    is open. `clocks`: the new clock of each kind that may start (distinct kinds; the
    generation is set here), `timers`: their timers (rows of :data:`_TIMER_INSERT`'s
    columns and ``clock_kind``), `events`: their announcements, by kind. Each clock
    added is then as if loaded (outside the session); one loaded that was stopped here
    is as stopped."""
    if len({clock.kind for clock in clocks}) != len(clocks):
        raise ValueError("one new clock of a kind at most")
    await session.flush()  # the statement sees the clocks' changes so far
    announced = [(kind, _ANNOUNCEMENT.parameters(event)) for kind, event in events]
    values: dict[str, Any] = {
        "case_id": case_id,
        "kinds": list(kinds),
        "restart": list(restart),
        "at": at,
        **{f"c_{c}": [getattr(clock, key) for clock in clocks] for key, c in _CLOCK_INSERT},
        "t_clock_kind": [row["clock_kind"] for row in timers],
        **{f"t_{c}": [row[c] for row in timers] for c in _TIMER_INSERT},
        "o_clock_kind": [kind for kind, _ in announced],
        **{
            f"o_{c}": [row[f"outbox_{c}"] for _, row in announced]
            for c in _ANNOUNCE_INSERT
            if c != "headers"
        },
        "o_headers": [
            None if row["outbox_headers"] is None else json.dumps(row["outbox_headers"])
            for _, row in announced
        ],
    }
    rows = (await session.execute(_START, values)).all()
    started = Started(
        added={r.kind: (r.id, r.generation) for r in rows if r.added},
        newest={r.kind: (r.id, r.generation, r.status) for r in rows if not r.added},
    )
    if started.added and announced:
        outbox.mark_written(session)
    for clock in clocks:
        if clock.kind in started.added:
            clock.id, clock.generation = started.added[clock.kind]
            make_transient_to_detached(clock)
    for kind, (clock_id, _, status) in started.newest.items():
        loaded = session.sync_session.identity_map.get(identity_key(CaseClock, clock_id))
        if kind in restart and status in ("running", "paused") and loaded is not None:
            for key, value in (
                ("status", "stopped"),
                ("stopped_at", at),
                ("stop_reason", "restarted"),
                ("updated_at", at),
            ):
                set_committed_value(loaded, key, value)
    return started


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
