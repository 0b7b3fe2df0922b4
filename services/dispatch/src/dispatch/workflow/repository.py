"""All of dispatch's SQL about cases and their timelines."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from dispatch.db import schema
from dispatch.workflow.models import Case, TimelineEntry, keep_district
from gridcase_events import outbox
from gridcase_events.envelope import Envelope
from gridcase_events.kit import db
from gridcase_events.kit.db import held_until_commit

# The statuses that count as an assignee's load when a department picks its operator.
LOAD_STATUSES = ("assigned", "accepted")

_CASES = cast(Table, Case.__table__)
_TIMELINE = cast(Table, TimelineEntry.__table__)


async def get(session: AsyncSession, case_id: UUID, *, for_update: bool = False) -> Case | None:
    """The case; `for_update` locks its row until the transaction ends (and reads it
    afresh, not from the session's identity map)."""
    return await session.get(Case, case_id, with_for_update=for_update or None)


async def add(session: AsyncSession, case: Case) -> None:
    session.add(case)
    await session.flush()


def timeline_row(
    *, case_id: UUID, at: datetime, action: str, actor: str, detail: dict[str, Any]
) -> dict[str, Any]:
    """One timeline entry, for :func:`take_in_at_commit`."""
    return {"case_id": case_id, "at": at, "action": action, "actor": actor, "detail": detail}


async def add_timeline(
    session: AsyncSession,
    *,
    case_id: UUID,
    at: datetime,
    action: str,
    actor: str,
    detail: dict[str, Any],
) -> None:
    session.add(TimelineEntry(case_id=case_id, at=at, action=action, actor=actor, detail=detail))


async def timeline(session: AsyncSession, case_id: UUID) -> Sequence[TimelineEntry]:
    result = await session.execute(
        select(TimelineEntry).where(TimelineEntry.case_id == case_id).order_by(TimelineEntry.id)
    )
    return result.scalars().all()


async def tasks_of(
    session: AsyncSession, *, assignee_id: str, statuses: Sequence[str], limit: int, offset: int
) -> Sequence[Case]:
    result = await session.execute(
        select(Case)
        .where(Case.assignee_id == assignee_id, Case.status.in_(statuses))
        .order_by(Case.priority.desc(), Case.created_at)
        .limit(limit)
        .offset(offset)
    )
    return result.scalars().all()


async def open_cases_by_assignee(
    session: AsyncSession, assignee_ids: Sequence[str]
) -> dict[str, int]:
    """How many assigned or accepted cases each of `assignee_ids` holds (absent: none),
    the cases this transaction took in counted too (:func:`write_taken_in` first)."""
    if not assignee_ids:
        return {}
    await write_taken_in(session)
    result = await session.execute(
        select(Case.assignee_id, func.count())
        .where(Case.assignee_id.in_(assignee_ids), Case.status.in_(LOAD_STATUSES))
        .group_by(Case.assignee_id)
    )
    return {assignee: count for assignee, count in result if assignee is not None}


# --------------------------------------------------------------------- cases taken in
# A consumer run takes in many cases (issue 18: ~20 at saturation). Each case's row, its
# timeline entries and its events are held by the transaction (`held_until_commit`) and
# written at its commit in ONE statement for the whole run: the cases from arrays
# (`unnest`) with ON CONFLICT DO NOTHING, then the timeline entries and the outbox rows
# of the cases it stored (a case stored before, a repeat, gets neither), each in the
# order it was taken in, so ids ascend as before (the relay publishes a key's rows by
# id). A transaction that rolls back writes none of it; the runner's smaller runs and
# one-by-one fallback each write their own. Anything that reads cases in the same
# transaction writes what is held first (`open_cases_by_assignee`).

_TAKEN_IN = "dispatch.workflow.taken_in"

_CASE_COLUMNS = (
    "id",
    "tracking_no",
    "channel",
    "external_ref",
    "status",
    "category_code",
    "priority",
    "content",
    "address",
    "lat",
    "lon",
    "target",
    "grid_code",
    "community_code",
    "department_code",
    "district_code",
    "route_method",
    "route_reason",
    "assignee_id",
    "assignee_post",
    "reported_at",
    "reporter_phone_masked",
    "reporter_phone_enc",
    "correlation_id",
    "updated_at",
    "version",
)
_TIMELINE_COLUMNS = ("case_id", "at", "action", "actor", "detail")


def _array_type(column: str, table: Table) -> str:
    """The array an element of `column` travels in: strings as text (the column's own
    length is checked when the row is assigned, never cut by a cast)."""
    kind = table.c[column].type
    if isinstance(kind, Uuid):
        return "uuid[]"
    if isinstance(kind, String | Text):
        return "text[]"
    if isinstance(kind, DateTime):
        return "timestamptz[]"
    if isinstance(kind, Float):
        return "float8[]"
    if isinstance(kind, Boolean):
        return "bool[]"
    if isinstance(kind, Integer):
        return "int8[]"
    raise TypeError(f"no array type for {table.name}.{column}: {kind!r}")


def _unnest(table: Table, columns: Sequence[str], prefix: str, types: dict[str, str]) -> str:
    arrays = ", ".join(
        f"CAST(:{prefix}{c} AS {types.get(c) or _array_type(c, table)})" for c in columns
    )
    return f"unnest({arrays}) WITH ORDINALITY AS {prefix[0]}({', '.join(columns)}, n)"


def _take_in_sql() -> str:
    cases = f'"{_CASES.schema}"."{_CASES.name}"'
    timeline = f'"{_TIMELINE.schema}"."{_TIMELINE.name}"'
    names = ", ".join(_CASE_COLUMNS)
    t = ", ".join(f"t.{c}" for c in _TIMELINE_COLUMNS[:-1])
    return (
        f"WITH new AS (INSERT INTO {cases} ({names})"  # noqa: S608 - our own metadata
        f" SELECT {', '.join(f'c.{c}' for c in _CASE_COLUMNS)}"
        f" FROM {_unnest(_CASES, _CASE_COLUMNS, 'c_', {})} ORDER BY c.n"
        " ON CONFLICT (id) DO NOTHING RETURNING id),"
        f" entries AS (INSERT INTO {timeline} ({', '.join(_TIMELINE_COLUMNS)})"
        f" SELECT {t}, CAST(t.detail AS jsonb)"
        f" FROM {_unnest(_TIMELINE, _TIMELINE_COLUMNS, 't_', {'detail': 'text[]'})}"
        " WHERE t.case_id IN (SELECT id FROM new) ORDER BY t.n),"
        f" announced AS ({outbox.arrays_insert(schema.outbox, keys_in='SELECT id::text FROM new')})"
        " SELECT id FROM new"
    )


_TAKE_IN = text(_take_in_sql())


@dataclass(slots=True)
class _TakenIn:
    """What a transaction took in and has not written yet, one list per column."""

    cases: dict[str, list[Any]] = field(
        default_factory=lambda: {column: [] for column in _CASE_COLUMNS}
    )
    timeline: dict[str, list[Any]] = field(
        default_factory=lambda: {column: [] for column in _TIMELINE_COLUMNS}
    )
    events: outbox.Rows = field(default_factory=outbox.Rows)
    held: set[UUID] = field(default_factory=set)
    """Every case taken in by the transaction (written or not): a second is a repeat."""
    stored: set[UUID] = field(default_factory=set)
    """The cases the transaction's writes stored (not stored before: no repeat)."""
    when_stored: list[tuple[UUID, Callable[[], None]]] = field(default_factory=list)
    counting: bool = False
    """Whether the commit's callback that runs `when_stored` is set."""

    def parameters(self) -> dict[str, Any]:
        values: dict[str, Any] = {f"c_{c}": v for c, v in self.cases.items()}
        values.update({f"t_{c}": v for c, v in self.timeline.items()})
        values.update(self.events.parameters())
        return values

    def written(self, ids: Sequence[UUID]) -> None:
        self.stored.update(ids)
        for column in (*self.cases.values(), *self.timeline.values()):
            column.clear()
        self.events.clear()


def _write_held(session: Session, taken: _TakenIn) -> None:
    """At the commit: what the transaction still holds, in one statement."""
    if taken.cases["id"]:
        taken.written(session.execute(_TAKE_IN, taken.parameters()).scalars().all())


async def write_taken_in(session: AsyncSession) -> None:
    """Writes what the transaction holds now (before a read that must see it); nothing,
    and nothing held, in a transaction that took no case in (a request's)."""
    if _TAKEN_IN not in session.info:
        return
    taken = _taken_in(session)
    if taken.cases["id"]:
        taken.written((await session.execute(_TAKE_IN, taken.parameters())).scalars().all())


def _taken_in(session: AsyncSession) -> _TakenIn:
    taken = held_until_commit(session, _TAKEN_IN, _TakenIn, _write_held)
    if not taken.counting:  # new in the transaction: its metrics once it commits
        taken.counting = True

        def count() -> None:
            for case_id, callback in taken.when_stored:
                if case_id in taken.stored:
                    callback()

        db.on_commit(session, count)
    return taken


def take_in_at_commit(
    session: AsyncSession,
    case: Case,
    timeline: Sequence[dict[str, Any]],
    events: Sequence[Envelope],
    when_stored: Sequence[Callable[[], None]] = (),
) -> bool:
    """Holds a new case (a transient `case`, its version set: the version its last event
    carries), its timeline entries and its events, all written at the commit, and only
    if no case with its id is stored by then (a repeat writes nothing). False, holding
    nothing, when the transaction took the case in already. `when_stored`: run after the
    commit when the case was stored by it (its metrics)."""
    taken = _taken_in(session)
    if case.id in taken.held:
        return False
    taken.held.add(case.id)
    keep_district(case)
    values = inspect(case).dict
    for column, kept in taken.cases.items():
        kept.append(values.get(column))
    for row in timeline:
        for column in _TIMELINE_COLUMNS[:-1]:
            taken.timeline[column].append(row[column])
        taken.timeline["detail"].append(json.dumps(row["detail"]))
    for event in events:
        taken.events.add(event)
    taken.when_stored.extend((case.id, callback) for callback in when_stored)
    outbox.mark_written(session)
    return True
