"""All of escalation's SQL about clocks and timers."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    String,
    Table,
    Text,
    bindparam,
    column,
    delete,
    event,
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
from sqlalchemy.orm import (
    InstrumentedAttribute,
    ORMExecuteState,
    Session,
    make_transient_to_detached,
)
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from escalation.clocks.models import CaseClock, Timer
from escalation.db import Base, schema
from gridcase_events import outbox
from gridcase_events.envelope import Envelope
from gridcase_events.kit.db import held_until_commit

_CLOCKS = cast(Table, CaseClock.__table__)
_CLOCK_COLUMNS = [(prop.key, prop.columns[0].key) for prop in inspect(CaseClock).column_attrs]


# A start of clocks in one statement (one round trip where reading the newest, adding
# the clocks, their timers and their announcements takes four), of one case or of a
# run's cases together, built once: the newest generation of each case's kinds, locked
# (in the order of case and kind); those of the kinds to restart stopped (their pending
# timers cancelled) when open; a new generation of every kind to restart and of every
# other kind with none open; the new clocks' timers (a timer names its clock by case and
# kind: a start adds one clock of a kind at most) and announcements (their generation
# set in the payload). Each table's rows as arrays, one a column, unnested in order.
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
    "WITH wanted AS (SELECT * FROM unnest(:w_case, :w_kind, :w_restart, :w_at)"  # noqa: S608 - names of our own tables and columns, values bound
    " AS w(case_id, kind, restart, at)),"
    f" newest AS (SELECT c.id, c.case_id, c.kind, c.generation, c.status FROM {_CLOCKS.fullname} c"
    " WHERE (c.case_id, c.kind, c.generation) IN ("
    f" SELECT g.case_id, g.kind, max(g.generation) FROM {_CLOCKS.fullname} g"
    " JOIN wanted w ON w.case_id = g.case_id AND w.kind = g.kind GROUP BY g.case_id, g.kind)"
    " ORDER BY c.case_id, c.kind FOR UPDATE),"
    f" restarted AS (UPDATE {_CLOCKS.fullname} AS r SET status = 'stopped',"
    " stopped_at = w.at, stop_reason = 'restarted', updated_at = w.at FROM newest"
    " JOIN wanted w ON w.case_id = newest.case_id AND w.kind = newest.kind"
    f" WHERE r.id = newest.id AND newest.status IN {_OPEN} AND w.restart RETURNING r.id),"
    f" cancelled AS (DELETE FROM {_TIMERS.fullname} AS t USING restarted"
    " WHERE t.clock_id = restarted.id AND t.status = 'pending' RETURNING 1),"
    f" added AS (INSERT INTO {_CLOCKS.fullname} ({_names(_CLOCK_NAMES)}, generation)"
    f" SELECT {_names(_CLOCK_NAMES, 'c.')}, coalesce(newest.generation, 0) + 1"
    f" FROM unnest({_names(_CLOCK_NAMES, ':c_')}) WITH ORDINALITY"
    f" AS c({_names(_CLOCK_NAMES)}, n)"
    " JOIN wanted w ON w.case_id = c.case_id AND w.kind = c.kind"
    " LEFT JOIN newest ON newest.case_id = c.case_id AND newest.kind = c.kind"
    f" WHERE newest.kind IS NULL OR newest.status NOT IN {_OPEN} OR w.restart"
    " ORDER BY c.n RETURNING id, case_id, kind, generation),"
    f" timed AS (INSERT INTO {_TIMERS.fullname} (clock_id, {_names(_TIMER_INSERT)})"
    f" SELECT added.id, {_names(_TIMER_INSERT, 't.')}"
    f" FROM unnest(:t_clock_kind, {_names(_TIMER_INSERT, ':t_')}) WITH ORDINALITY"
    f" AS t(clock_kind, {_names(_TIMER_INSERT)}, n)"
    " JOIN added ON added.case_id = t.case_id AND added.kind = t.clock_kind ORDER BY t.n"
    " ON CONFLICT DO NOTHING RETURNING 1),"
    f" announced AS (INSERT INTO {_OUTBOX.fullname} ({_names(_ANNOUNCE_INSERT)})"
    " SELECT o.event_id, o.topic, o.key, o.event_type,"
    " jsonb_set(CAST(o.payload AS jsonb), '{data,generation}', to_jsonb(added.generation)),"
    " CAST(o.headers AS jsonb)"
    f" FROM unnest(:o_case, :o_clock_kind, {_names(_ANNOUNCE_INSERT, ':o_')}) WITH ORDINALITY"
    f" AS o(case_id, clock_kind, {_names(_ANNOUNCE_INSERT)}, n)"
    " JOIN added ON added.case_id = o.case_id AND added.kind = o.clock_kind"
    " ORDER BY o.n RETURNING 1)"
    " SELECT true AS added, id, case_id, kind, generation, 'running' AS status FROM added"
    " UNION ALL SELECT false, id, case_id, kind, generation, status FROM newest"
).bindparams(
    bindparam("w_case", type_=ARRAY(_CLOCKS.c.case_id.type)),
    bindparam("w_kind", type_=ARRAY(String())),
    bindparam("w_restart", type_=ARRAY(Boolean())),
    bindparam("w_at", type_=ARRAY(_CLOCKS.c.stopped_at.type)),
    *(bindparam(f"c_{c}", type_=ARRAY(_CLOCKS.c[c].type)) for c in _CLOCK_NAMES),
    bindparam("t_clock_kind", type_=ARRAY(String())),
    *(bindparam(f"t_{c}", type_=ARRAY(_TIMERS.c[c].type)) for c in _TIMER_INSERT),
    bindparam("o_case", type_=ARRAY(_CLOCKS.c.case_id.type)),
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


@dataclass(frozen=True)
class _Start:
    """One case's start of clocks, as :func:`start` takes it (the announcements as the
    outbox rows' values)."""

    case_id: UUID
    kinds: Sequence[str]
    restart: Sequence[str]
    at: datetime
    clocks: Sequence[CaseClock]
    timers: Sequence[dict[str, Any]]
    announced: Sequence[tuple[str, dict[str, Any]]]


def _values(starts: Sequence[_Start]) -> dict[str, Any]:
    """:data:`_START`'s parameters for the starts of distinct cases."""
    wanted = [(one, kind) for one in starts for kind in one.kinds]
    clocks = [clock for one in starts for clock in one.clocks]
    timers = [row for one in starts for row in one.timers]
    announced = [(one.case_id, kind, row) for one in starts for kind, row in one.announced]
    return {
        "w_case": [one.case_id for one, _ in wanted],
        "w_kind": [kind for _, kind in wanted],
        "w_restart": [kind in one.restart for one, kind in wanted],
        "w_at": [one.at for one, _ in wanted],
        **{f"c_{c}": [getattr(clock, key) for clock in clocks] for key, c in _CLOCK_INSERT},
        "t_clock_kind": [row["clock_kind"] for row in timers],
        **{f"t_{c}": [row[c] for row in timers] for c in _TIMER_INSERT},
        "o_case": [case_id for case_id, _, _ in announced],
        "o_clock_kind": [kind for _, kind, _ in announced],
        **{
            f"o_{c}": [row[f"outbox_{c}"] for _, _, row in announced]
            for c in _ANNOUNCE_INSERT
            if c != "headers"
        },
        "o_headers": [
            None if row["outbox_headers"] is None else json.dumps(row["outbox_headers"])
            for _, _, row in announced
        ],
    }


def _start_of(
    *,
    case_id: UUID,
    kinds: Sequence[str],
    restart: Sequence[str],
    at: datetime,
    clocks: Sequence[CaseClock],
    timers: Sequence[dict[str, Any]],
    events: Sequence[tuple[str, Envelope]],
) -> _Start:
    if len({clock.kind for clock in clocks}) != len(clocks):
        raise ValueError("one new clock of a kind at most")
    return _Start(
        case_id=case_id,
        kinds=list(kinds),
        restart=list(restart),
        at=at,
        clocks=list(clocks),
        timers=list(timers),
        announced=[(kind, _ANNOUNCEMENT.parameters(event)) for kind, event in events],
    )


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
    one = _start_of(
        case_id=case_id,
        kinds=kinds,
        restart=restart,
        at=at,
        clocks=clocks,
        timers=timers,
        events=events,
    )
    await session.flush()  # the statement sees the clocks' changes so far
    rows = (await session.execute(_START, _values([one]))).all()
    started = Started(
        added={r.kind: (r.id, r.generation) for r in rows if r.added},
        newest={r.kind: (r.id, r.generation, r.status) for r in rows if not r.added},
    )
    if started.added and one.announced:
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


_LATER = "escalation.clocks.later"
"""Where a transaction keeps the starts it left for later (``session.info``, with the
transaction): written, all in one statement, before the transaction's next statement
or at its commit, whichever comes first."""


async def start_later(
    session: AsyncSession,
    *,
    case_id: UUID,
    kinds: Sequence[str],
    restart: Sequence[str],
    at: datetime,
    clocks: Sequence[CaseClock],
    timers: Sequence[dict[str, Any]],
    events: Sequence[tuple[str, Envelope]],
) -> None:
    """:func:`start`, for a caller that needs nothing of what it finds: written with the
    other starts of the transaction in one statement (:data:`_LATER`), before any other
    statement of it or at its commit. A run of assignments thus starts its clocks in one
    round trip; every statement after a start still sees it, and the announcements keep
    their order among the transaction's outbox rows. A second start of the same case
    writes the first at once (a statement sees the newest clocks of one start only)."""
    one = _start_of(
        case_id=case_id,
        kinds=kinds,
        restart=restart,
        at=at,
        clocks=clocks,
        timers=timers,
        events=events,
    )
    later = _later(session)
    if any(kept.case_id == case_id for kept in later.starts):
        await session.run_sync(_write_later, later)
    later.starts.append(one)
    if one.announced:
        outbox.mark_written(session)  # the runner wakes the relay after the commit


@dataclass
class _Later:
    """A transaction's starts left for later, and what writes them before its next
    statement."""

    starts: list[_Start] = field(default_factory=list)
    before: Callable[[ORMExecuteState], None] | None = None


def _later(session: AsyncSession) -> _Later:
    sync = session.sync_session
    later = held_until_commit(session, _LATER, _Later, _write_later)
    if later.before is None:
        transaction = sync.get_transaction()

        def before(state: ORMExecuteState) -> None:
            if state.session.get_transaction() is transaction:
                _write_later(state.session, later)

        later.before = before
        event.listen(sync, "do_orm_execute", before)
    return later


def _write_later(session: Session, later: _Later) -> None:
    """The starts left for later, in one statement (its own start taken out first, so
    that it writes them once)."""
    starts, later.starts = later.starts, []
    if starts:
        session.execute(_START, _values(starts))


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
