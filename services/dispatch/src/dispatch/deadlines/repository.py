"""All SQL of the deadlines projection.

Every statement here is built once, at import, with its values bound at execution: two
``sla.clock_started`` reach this projection for each assignment, and building (and
cache-keying) statements per event cost more than running them (docs/benchmarks.md,
"dispatch profiled inside the pipeline").

An event's change of its clock is one upsert whose ``ON CONFLICT`` update applies the
projection's rules (the highest generation, then the latest change, wins; a stop, pause
or resume keeps its latest time), locking the clock's row as ``SELECT … FOR UPDATE``
would, whether it changes it or not. The transaction holds its events' changes and
writes them when it commits (a ``before_commit`` listener, as escalation's facts rows
are written): in the order of the events, consecutive ones of a kind in one upsert
from arrays (``unnest``, in their order; a clock changed again in the run starts the
next upsert, as an upsert may change a row once); then the clocks of all the cases it
touched in one read, and their deadlines in one upsert from arrays (issue 18: an
assignment's two clocks arrive together, in one consumer run; an executemany, which
PostgreSQL runs once a row, took one execution a change). A transaction that rolls
back writes none of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from itertools import groupby
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    Table,
    Text,
    and_,
    any_,
    bindparam,
    case,
    delete,
    false,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from dispatch.deadlines import rules
from dispatch.deadlines.models import CaseDeadline, SlaClock
from gridcase_events.kit.db import held_until_commit

_CLOCKS = cast(Table, SlaClock.__table__)
_DEADLINES = cast(Table, CaseDeadline.__table__)
_AT = DateTime(timezone=True)


@dataclass(frozen=True, slots=True)
class Clock:
    """One clock of a case as the commit reads it back (:class:`rules.ClockState`)."""

    case_id: UUID
    clock: str
    started_at: datetime | None
    due_at: datetime | None
    stopped_at: datetime | None
    paused_at: datetime | None
    resumed_at: datetime | None
    warned_percent: int
    breached: bool


_PARAMETERS: dict[str, Any] = {
    "p_case_id": PG_UUID(as_uuid=True),
    "p_clock": Text(),
    "p_generation": Integer(),
    "p_started_at": _AT,
    "p_due_at": _AT,
    "p_changed_at": _AT,
    "p_resumed_at": _AT,
    "p_percent": Integer(),
    "p_breached": Boolean(),
    "p_at": _AT,
    "p_warned_percent": Integer(),
}
"""An event's values, by name; a statement takes each as an array, an element a change."""


def _arrays(*names: str) -> Any:
    """The rows of a statement's changes: one array parameter per value, unnested in the
    order of the changes (`n`)."""
    return (
        func.unnest(*(sql_cast(bindparam(name), ARRAY(_PARAMETERS[name])) for name in names))
        .table_valued(*names, with_ordinality="n")
        .render_derived()
    )


def _new_clock(**values: str) -> Any:
    """An insert of clocks' rows, one a change: the case and clock from the changes, an
    empty clock otherwise; `values` names the parameter each column takes."""
    rows = _arrays("p_case_id", "p_clock", *sorted(set(values.values())))
    columns: dict[str, Any] = {
        "case_id": rows.c.p_case_id,
        "clock": rows.c.p_clock,
        "generation": literal_column("0", Integer()),
        "warned_percent": literal_column("0", Integer()),
        "breached": false(),
        **{column: rows.c[name] for column, name in values.items()},
    }
    return insert(_CLOCKS).from_select(list(columns), select(*columns.values()).order_by(rows.c.n))


_NEW_START = _new_clock(
    generation="p_generation",
    started_at="p_started_at",
    due_at="p_due_at",
    changed_at="p_changed_at",
    resumed_at="p_resumed_at",
)
_NEWER = _NEW_START.excluded.generation > _CLOCKS.c.generation
_START = _NEW_START.on_conflict_do_update(
    index_elements=["case_id", "clock"],
    set_={
        "generation": _NEW_START.excluded.generation,
        "started_at": _NEW_START.excluded.started_at,
        "due_at": _NEW_START.excluded.due_at,
        "changed_at": _NEW_START.excluded.changed_at,
        # a new generation starts afresh; the same one keeps what escalation fired
        "warned_percent": case((_NEWER, 0), else_=_CLOCKS.c.warned_percent),
        "breached": case((_NEWER, False), else_=_CLOCKS.c.breached),
        # GREATEST skips NULLs: the latest resume, if any
        "resumed_at": func.greatest(_CLOCKS.c.resumed_at, _NEW_START.excluded.resumed_at),
    },
    where=or_(
        _NEWER,
        and_(
            _NEW_START.excluded.generation == _CLOCKS.c.generation,
            or_(
                _CLOCKS.c.changed_at.is_(None),
                _CLOCKS.c.changed_at <= _NEW_START.excluded.changed_at,
            ),
        ),
    ),
)

_NEW_FIRED = _new_clock(
    generation="p_generation",
    started_at="p_started_at",
    due_at="p_due_at",
    changed_at="p_started_at",  # a restart's change is its start
    warned_percent="p_percent",
    breached="p_breached",
)
_FIRED_NEWER = _NEW_FIRED.excluded.generation > _CLOCKS.c.generation
# A warning or breach of a newer generation than the row's: its start is still on its way,
# so the clock restarts from what the warning says.
_FIRED = _NEW_FIRED.on_conflict_do_update(
    index_elements=["case_id", "clock"],
    set_={
        "generation": _NEW_FIRED.excluded.generation,
        **{
            name: case((_FIRED_NEWER, _NEW_FIRED.excluded[name]), else_=_CLOCKS.c[name])
            for name in ("started_at", "due_at", "changed_at")
        },
        "warned_percent": case(
            (_FIRED_NEWER, _NEW_FIRED.excluded.warned_percent),
            else_=func.greatest(_CLOCKS.c.warned_percent, _NEW_FIRED.excluded.warned_percent),
        ),
        "breached": case(
            (_FIRED_NEWER, _NEW_FIRED.excluded.breached),
            else_=or_(_CLOCKS.c.breached, _NEW_FIRED.excluded.breached),
        ),
    },
    where=_NEW_FIRED.excluded.generation >= _CLOCKS.c.generation,
)


def _latest(column: str) -> Any:
    """Sets a time of the clock (its stop, pause or resume) unless a later one is set."""
    new = _new_clock(**{column: "p_at"})
    return new.on_conflict_do_update(
        index_elements=["case_id", "clock"],
        set_={column: new.excluded[column]},
        where=or_(_CLOCKS.c[column].is_(None), _CLOCKS.c[column] < new.excluded[column]),
    )


_STOP, _PAUSE, _RESUME = _latest("stopped_at"), _latest("paused_at"), _latest("resumed_at")

_IDS = bindparam("p_case_ids", type_=ARRAY(PG_UUID(as_uuid=True)))
_CLOCKS_OF = select(*(_CLOCKS.c[f.name] for f in fields(Clock))).where(
    _CLOCKS.c.case_id == any_(_IDS)
)
_DEADLINE_COLUMNS = ("clock", "started_at", "due_at", "warned_percent", "breached")
_DEADLINE_ROWS = (
    func.unnest(
        sql_cast(bindparam("p_case_id"), ARRAY(PG_UUID(as_uuid=True))),
        *(
            sql_cast(bindparam(f"p_{name}"), ARRAY(_PARAMETERS[f"p_{name}"]))
            for name in _DEADLINE_COLUMNS
        ),
    )
    .table_valued("case_id", *_DEADLINE_COLUMNS, with_ordinality="n")
    .render_derived()
)
_NEW_DEADLINE = insert(_DEADLINES).from_select(
    ["case_id", *_DEADLINE_COLUMNS],
    select(*(_DEADLINE_ROWS.c[name] for name in ("case_id", *_DEADLINE_COLUMNS))).order_by(
        _DEADLINE_ROWS.c.n
    ),
)
_SET_DEADLINE = _NEW_DEADLINE.on_conflict_do_update(
    index_elements=["case_id"],
    set_={name: _NEW_DEADLINE.excluded[name] for name in _DEADLINE_COLUMNS},
)
_NO_DEADLINE = delete(_DEADLINES).where(_DEADLINES.c.case_id == any_(_IDS))


def start(
    session: AsyncSession,
    *,
    case_id: UUID,
    clock: str,
    generation: int,
    started_at: datetime,
    due_at: datetime,
    changed_at: datetime,
    resumed_at: datetime | None,
) -> None:
    """A clock's start (or its deadline moved), unless the row holds a newer one."""
    _pend(
        session,
        case_id,
        _START,
        {
            "p_case_id": case_id,
            "p_clock": clock,
            "p_generation": generation,
            "p_started_at": started_at,
            "p_due_at": due_at,
            "p_changed_at": changed_at,
            "p_resumed_at": resumed_at,
        },
    )


def fired(
    session: AsyncSession,
    *,
    case_id: UUID,
    clock: str,
    generation: int,
    started_at: datetime,
    due_at: datetime,
    percent: int,
    breached: bool,
) -> None:
    """A warning (`percent`) or a breach of a clock's generation; an older one is ignored."""
    _pend(
        session,
        case_id,
        _FIRED,
        {
            "p_case_id": case_id,
            "p_clock": clock,
            "p_generation": generation,
            "p_started_at": started_at,
            "p_due_at": due_at,
            "p_percent": percent,
            "p_breached": breached,
        },
    )


def stopped(session: AsyncSession, *, case_id: UUID, clocks: Sequence[str], at: datetime) -> None:
    for clock in clocks:
        _pend(session, case_id, _STOP, {"p_case_id": case_id, "p_clock": clock, "p_at": at})


def paused(session: AsyncSession, *, case_id: UUID, clock: str, at: datetime) -> None:
    _pend(session, case_id, _PAUSE, {"p_case_id": case_id, "p_clock": clock, "p_at": at})


def resumed(session: AsyncSession, *, case_id: UUID, clock: str, at: datetime) -> None:
    _pend(session, case_id, _RESUME, {"p_case_id": case_id, "p_clock": clock, "p_at": at})


_HELD = "dispatch.deadlines.held"
"""Where a transaction keeps its clock changes until it commits (``session.info``): the
statements in the order of their events, and the cases they touch."""


@dataclass(slots=True)
class _Held:
    changes: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    cases: set[UUID] = field(default_factory=set)


def _pend(session: AsyncSession, case_id: UUID, statement: Any, values: dict[str, Any]) -> None:
    """A clock change of this transaction, written when it commits (in the order of its
    events), and its case's deadline recomputed then, once whatever the number of its
    events."""
    held = held_until_commit(session, _HELD, _Held, _write_held)
    held.changes.append((statement, values))
    held.cases.add(case_id)


def _write_held(session: Session, held: _Held) -> None:
    """Before the commit: the transaction's clock changes, in order, consecutive ones of
    a kind in one statement (:func:`_apart`); then the touched cases' clocks in one read
    and their nearest running deadlines in one upsert (and one delete for the cases with
    none running)."""
    if not held.cases:
        return
    for _, kind in groupby(held.changes, key=lambda change: id(change[0])):
        changes = list(kind)
        for part in _apart(changes):
            session.execute(changes[0][0], {name: [v[name] for v in part] for name in part[0]})
    case_ids = sorted(held.cases)  # one order for every writer: no deadlock between replicas
    clocks: dict[UUID, list[Clock]] = {case_id: [] for case_id in case_ids}
    for row in session.execute(_CLOCKS_OF, {"p_case_ids": case_ids}):
        clocks[row.case_id].append(Clock(*row))
    nearest = {case_id: rules.nearest(clocks[case_id]) for case_id in case_ids}
    running = [clock for clock in nearest.values() if clock is not None]
    if running:
        values = [_deadline_values(clock) for clock in running]
        session.execute(_SET_DEADLINE, {name: [v[name] for v in values] for name in values[0]})
    if len(running) < len(case_ids):
        session.execute(
            _NO_DEADLINE, {"p_case_ids": [c for c, clock in nearest.items() if clock is None]}
        )


def _apart(changes: list[tuple[Any, dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Consecutive changes of a kind as few statements as can take them: a statement
    changes a clock once (an upsert may not touch a row twice), so a clock changed again
    starts the next one, applied after it."""
    parts: list[list[dict[str, Any]]] = [[]]
    clocks: set[tuple[UUID, str]] = set()
    for _, values in changes:
        clock = (values["p_case_id"], values["p_clock"])
        if clock in clocks:
            parts.append([])
            clocks.clear()
        clocks.add(clock)
        parts[-1].append(values)
    return parts


def _deadline_values(clock: Clock) -> dict[str, Any]:
    return {
        "p_case_id": clock.case_id,
        "p_clock": clock.clock,
        "p_started_at": clock.started_at,
        "p_due_at": clock.due_at,
        "p_warned_percent": clock.warned_percent,
        "p_breached": clock.breached,
    }
