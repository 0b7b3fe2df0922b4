"""All of the reports' SQL: the facts projection and the aggregates over it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    Table,
    and_,
    any_,
    bindparam,
    case,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from escalation.clocks import repository as clock_repository
from escalation.directory.models import AreaEntry
from escalation.reports.models import (
    CaseFact,
    EscalationRecord,
    PatrolRecord,
    ReturnRecord,
    VisitRecord,
)
from gridcase_events.kit.db import held_until_commit

UNIT_COLUMNS = {
    "member": CaseFact.assignee_id,
    "grid": CaseFact.grid_code,
    "community": CaseFact.community_code,
    "street": CaseFact.street_code,
    "district": CaseFact.district_code,
    "department": CaseFact.department_code,
}


_FACTS = cast(Table, CaseFact.__table__)
_COLUMNS = [(prop.key, prop.columns[0]) for prop in inspect(CaseFact).column_attrs]

Change = Callable[[CaseFact, Mapping[str, str | None]], None]
"""A change of a case's facts row, applied when the transaction commits (:func:`change`):
to the row as it stands then, with the parents of the areas the transaction's changes
named (the directory's, by code)."""


@dataclass
class _Pending:
    """What a transaction will write into the facts rows when it commits, by case in
    the order the events came: its changes, and intake's reports (the values of
    :data:`_REPORTED`) where a report is the case's only change."""

    changes: dict[UUID, list[Change | dict[str, Any]]] = field(default_factory=dict)
    areas: set[str] = field(default_factory=set)
    now: datetime | None = None


_PENDING = "escalation.reports.pending"
"""Where a transaction keeps its changes of the facts rows (``session.info``), with the
transaction they belong to. No facts row is locked before the commit: then all the
transaction's rows are locked at once, in the order of their case ids, changed and
written (a run of reports alone in one upsert, in the same order). Every consumer group
thus takes its rows in one order, and two runs of different groups (the reports' and
the clocks') never wait for each other in a cycle. The projection's rows change through
here only; nothing in a consumer reads them back through SQL."""

_NEW_FACTS = (
    select(
        func.unnest(bindparam("ids", type_=ARRAY(_FACTS.c.case_id.type))).label("case_id"),
        bindparam("now", type_=_FACTS.c.updated_at.type).label("updated_at"),
    )
).subquery()
_NEW_ROWS = insert(_FACTS).from_select(
    ["case_id", "updated_at"], select(_NEW_FACTS).order_by(_NEW_FACTS.c.case_id)
)
# Built once, a plain statement: the rows created if new, else "updated" to themselves,
# which locks them as SELECT … FOR UPDATE would, in the order of their ids; returned as
# they stand. The first also brings the parents of the areas named (the directory's).
_AREA_PARENTS = (
    select(func.jsonb_object_agg(AreaEntry.code, AreaEntry.parent_code, type_=JSONB))
    .where(AreaEntry.code == any_(bindparam("areas", type_=ARRAY(String()))))
    .scalar_subquery()
)
_LOCK_ALL = _NEW_ROWS.on_conflict_do_update(
    index_elements=["case_id"], set_={"case_id": _NEW_ROWS.excluded.case_id}
).returning(
    *(column for _, column in _COLUMNS),
    case((_FACTS.c.case_id == bindparam("first", type_=_FACTS.c.case_id.type), _AREA_PARENTS)),
)


def change(
    session: AsyncSession, *, case_id: UUID, now: datetime, apply: Change, areas: Sequence[str]
) -> None:
    """`apply` to the case's facts row (created if new) when the transaction commits,
    after the changes of the case before it (:data:`_PENDING`), with the parents of
    `areas`."""
    pending = _pending(session)
    pending.changes.setdefault(case_id, []).append(apply)
    pending.areas.update(areas)
    pending.now = now


def reported(
    session: AsyncSession,
    *,
    case_id: UUID,
    tracking_no: str,
    channel: str,
    priority: str,
    received_at: datetime,
    now: datetime,
) -> None:
    """Intake's report of a case into its facts row when the transaction commits
    (:data:`_PENDING`): created if new, else its report's fields set (a priority
    dispatch set already stays)."""
    pending = _pending(session)
    pending.changes.setdefault(case_id, []).append(
        {
            "case_id": case_id,
            "tracking_no": tracking_no,
            "channel": channel,
            "priority": priority,
            "received_at": received_at,
            "now": now,
        }
    )
    pending.now = now


def _pending(session: AsyncSession) -> _Pending:
    # Changes end with their transaction: what another one kept is not this one's.
    return held_until_commit(session, _PENDING, _Pending, _write)


def _write(session: Session, pending: _Pending) -> None:
    """Before the commit: the transaction's facts rows locked, in the order of their
    case ids, changed and written back (:data:`_WRITE_FACTS`). Reports alone are one
    upsert."""
    if not pending.changes:
        return
    ids = sorted(pending.changes)
    reports = [entries[0] for entries in pending.changes.values() if len(entries) == 1]
    if len(reports) == len(ids) and all(isinstance(report, dict) for report in reports):
        session.execute(
            _REPORTED, [cast(dict[str, Any], pending.changes[case_id][0]) for case_id in ids]
        )
        return
    rows = session.execute(
        _LOCK_ALL,
        {"ids": ids, "now": pending.now, "areas": sorted(pending.areas), "first": ids[0]},
    ).all()
    parents: dict[str, str | None] = {}
    for row in rows:
        parents.update(row[len(_COLUMNS)] or {})
    facts = []
    for row in rows:
        fact = CaseFact(**{key: value for (key, _), value in zip(_COLUMNS, row, strict=False)})
        for entry in pending.changes[fact.case_id]:
            if isinstance(entry, dict):
                _apply_report(fact, entry)
            else:
                entry(fact, parents)
        facts.append(fact)
    session.execute(
        _WRITE_FACTS,
        {f"f_{column.key}": [getattr(f, key) for f in facts] for key, column in _COLUMNS},
    )


# The rows a transaction changed, written back in one statement (their columns as
# arrays, unnested in order), where the unit of work would send one UPDATE a row.
_WRITE_FACTS = text(
    f"UPDATE {_FACTS.fullname} AS f SET "  # noqa: S608 - names of our own table and columns, values bound
    + ", ".join(f"{c.key} = v.{c.key}" for _, c in _COLUMNS if c.key != "case_id")
    + " FROM unnest("
    + ", ".join(f":f_{c.key}" for _, c in _COLUMNS)
    + ") AS v("
    + ", ".join(c.key for _, c in _COLUMNS)
    + ") WHERE f.case_id = v.case_id"
).bindparams(*(bindparam(f"f_{c.key}", type_=ARRAY(c.type)) for _, c in _COLUMNS))


def _apply_report(fact: CaseFact, report: dict[str, Any]) -> None:
    """:data:`_REPORTED` on a row in hand."""
    fact.tracking_no = report["tracking_no"]
    fact.channel = report["channel"]
    fact.priority = fact.priority or report["priority"]
    fact.received_at = report["received_at"]
    fact.reported = True
    fact.updated_at = report["now"]


_REPORTED = insert(_FACTS).values(
    case_id=bindparam("case_id"),
    tracking_no=bindparam("tracking_no"),
    channel=bindparam("channel"),
    priority=bindparam("priority"),
    received_at=bindparam("received_at"),
    reported=True,
    updated_at=bindparam("now"),
)
_REPORTED = _REPORTED.on_conflict_do_update(
    index_elements=["case_id"],
    set_={
        "tracking_no": _REPORTED.excluded.tracking_no,
        "channel": _REPORTED.excluded.channel,
        "priority": func.coalesce(func.nullif(_FACTS.c.priority, ""), _REPORTED.excluded.priority),
        "received_at": _REPORTED.excluded.received_at,
        "reported": True,
        "updated_at": _REPORTED.excluded.updated_at,
    },
)


async def add_escalation(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Records one escalation; False if it was recorded already."""
    result = await session.execute(
        insert(EscalationRecord)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(EscalationRecord.event_id)
    )
    return result.scalar_one_or_none() is not None


def _in_scope(
    area_prefix: str | None, department_code: str | None, district: str | None = None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [CaseFact.ended.is_(None)]
    if district is not None:
        where.append(CaseFact.district_code == district)
    if area_prefix is not None:
        where.append(
            func.coalesce(CaseFact.grid_code, CaseFact.community_code).startswith(
                area_prefix, autoescape=True
            )
        )
    if department_code is not None:
        where.append(CaseFact.department_code == department_code)
    return where


async def rates(
    session: AsyncSession,
    *,
    level: str,
    start: datetime,
    end: datetime,
    area_prefix: str | None,
    department_code: str | None,
    district: str | None = None,
) -> Sequence[Any]:
    """Per unit of the level: the counts behind every rate, for cases received in
    [start, end)."""
    unit = UNIT_COLUMNS[level].label("unit_code")
    f = CaseFact
    query = (
        select(
            unit,
            func.count().label("received"),
            func.count().filter(f.sign_for_clocked).label("sign_for_clocked"),
            func.count()
            .filter(f.sign_for_clocked, f.accepted_in_time.is_(True))
            .label("accepted_in_time"),
            func.count().filter(f.resolved_at.is_not(None)).label("resolved"),
            func.count()
            .filter(f.closed_at.is_not(None), f.closed_on_time.is_not(None))
            .label("closed"),
            func.count()
            .filter(f.closed_at.is_not(None), f.closed_on_time.is_(True))
            .label("closed_on_time"),
            func.count().filter(f.satisfaction == "satisfied").label("satisfied"),
            func.count()
            .filter(f.satisfaction == "basically_satisfied")
            .label("basically_satisfied"),
            func.count().filter(f.satisfaction == "dissatisfied").label("dissatisfied"),
            func.coalesce(func.sum(f.returns), 0).label("returns"),
            func.coalesce(func.sum(f.reopenings), 0).label("reopenings"),
            func.coalesce(func.sum(f.buck_passing_flags), 0).label("buck_passing_flags"),
            func.coalesce(func.sum(f.supervision_yellow), 0).label("supervision_yellow"),
            func.coalesce(func.sum(f.supervision_red), 0).label("supervision_red"),
            func.coalesce(func.sum(f.supervision_manual), 0).label("supervision_manual"),
        )
        .where(
            f.received_at >= start,
            f.received_at < end,
            *_in_scope(area_prefix, department_code, district),
        )
        .group_by(unit)
        .order_by(unit.asc().nulls_last())
    )
    result = await session.execute(query)
    return result.all()


async def day_counts(
    session: AsyncSession, *, area_prefix: str, start: datetime, end: datetime
) -> dict[str, int]:
    """New, accepted, resolved and closed cases in the area during [start, end)."""
    f = CaseFact

    def within(column: Any) -> ColumnElement[bool]:
        return and_(column >= start, column < end)

    result = await session.execute(
        select(
            func.count().filter(within(f.received_at)).label("new"),
            func.count().filter(within(f.first_accepted_at)).label("accepted"),
            func.count().filter(within(f.resolved_at)).label("resolved"),
            func.count().filter(within(f.closed_at)).label("closed"),
        ).where(*_in_scope(area_prefix, None))
    )
    row = result.one()
    return {k: int(getattr(row, k)) for k in ("new", "accepted", "resolved", "closed")}


async def escalations_between(
    session: AsyncSession, *, area_prefix: str, start: datetime, end: datetime
) -> Sequence[EscalationRecord]:
    result = await session.execute(
        select(EscalationRecord)
        .where(
            EscalationRecord.grid_code.startswith(area_prefix, autoescape=True),
            EscalationRecord.escalated_at >= start,
            EscalationRecord.escalated_at < end,
        )
        .order_by(EscalationRecord.escalated_at)
    )
    return result.scalars().all()


async def open_by_unit(session: AsyncSession, *, now: datetime) -> Sequence[Any]:
    """Open cases (not closed, withdrawn or merged) per street and department: how many,
    how many overdue (a running resolution clock past its deadline), how many escalated."""
    f = CaseFact
    overdue = clock_repository.resolution_overdue(f.case_id, now=now)
    result = await session.execute(
        select(
            f.street_code,
            f.department_code,
            func.count().label("open"),
            func.count().filter(overdue).label("overdue"),
            func.count().filter(f.escalations > 0).label("escalated"),
        )
        .where(f.closed_at.is_(None), f.ended.is_(None))
        .group_by(f.street_code, f.department_code)
    )
    return result.all()


async def member_counts(
    session: AsyncSession, *, start: datetime, end: datetime, area_prefix: str | None
) -> Sequence[Any]:
    """Per community and grid member the case stands assigned to: the counts behind the
    assessment's components, for cases received in [start, end)."""
    f = CaseFact
    where: list[ColumnElement[bool]] = [
        f.ended.is_(None),
        f.received_at >= start,
        f.received_at < end,
        f.assignee_role == "grid_member",
        f.assignee_id.is_not(None),
        f.community_code.is_not(None),
    ]
    if area_prefix is not None:
        where.append(f.community_code.startswith(area_prefix, autoescape=True))
    result = await session.execute(
        select(
            f.community_code,
            f.assignee_id,
            func.count().label("held"),
            func.count().filter(f.sign_for_clocked).label("sign_for_clocked"),
            func.count()
            .filter(f.sign_for_clocked, f.accepted_in_time.is_(True))
            .label("accepted_in_time"),
            func.count()
            .filter(f.closed_at.is_not(None), f.closed_on_time.is_not(None))
            .label("closed"),
            func.count()
            .filter(f.closed_at.is_not(None), f.closed_on_time.is_(True))
            .label("closed_on_time"),
            func.count().filter(f.reopenings > 0).label("reopened"),
            func.count().filter(f.satisfaction.is_not(None)).label("evaluated"),
            func.count()
            .filter(f.satisfaction.in_(("satisfied", "basically_satisfied")))
            .label("satisfied"),
        )
        .where(*where)
        .group_by(f.community_code, f.assignee_id)
        .order_by(f.community_code, f.assignee_id)
    )
    return result.all()


async def add_patrol(session: AsyncSession, row: dict[str, Any]) -> None:
    """Records one ended patrol session; a session recorded already stays as it was."""
    await session.execute(
        insert(PatrolRecord).values(**row).on_conflict_do_nothing(index_elements=["session_id"])
    )


async def add_visit(session: AsyncSession, row: dict[str, Any]) -> None:
    """Records one household visit; a visit recorded already stays as it was."""
    await session.execute(
        insert(VisitRecord).values(**row).on_conflict_do_nothing(index_elements=["visit_id"])
    )


async def patrol_days(
    session: AsyncSession, *, first: date, last: date, area_prefix: str | None
) -> Sequence[Any]:
    """Per community, grid member and local day in [first, last]: the sessions that met
    the practice's length, and the practice's number of them a day."""
    p = PatrolRecord
    where: list[ColumnElement[bool]] = [
        p.staff_role == "grid_member",
        p.community_code.is_not(None),
        p.day >= first,
        p.day <= last,
    ]
    if area_prefix is not None:
        where.append(p.community_code.startswith(area_prefix, autoescape=True))
    result = await session.execute(
        select(
            p.community_code,
            p.staff_id,
            p.day,
            func.count().filter(p.qualifying).label("qualifying"),
            func.max(p.min_sessions_per_day).label("min_sessions_per_day"),
        )
        .where(*where)
        .group_by(p.community_code, p.staff_id, p.day)
    )
    return result.all()


async def visit_counts(
    session: AsyncSession, *, start: datetime, end: datetime, area_prefix: str | None
) -> Sequence[Any]:
    """Per community and grid member: the household visits made in [start, end)."""
    v = VisitRecord
    where: list[ColumnElement[bool]] = [
        v.staff_role == "grid_member",
        v.community_code.is_not(None),
        v.visited_at >= start,
        v.visited_at < end,
    ]
    if area_prefix is not None:
        where.append(v.community_code.startswith(area_prefix, autoescape=True))
    result = await session.execute(
        select(v.community_code, v.staff_id, func.count().label("visits"))
        .where(*where)
        .group_by(v.community_code, v.staff_id)
    )
    return result.all()


async def add_return(session: AsyncSession, row: dict[str, Any]) -> None:
    """Records one return; the case's n-th return recorded already stays as it was."""
    await session.execute(
        insert(ReturnRecord)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["case_id", "ordinal"])
    )


async def member_returns(
    session: AsyncSession, *, start: datetime, end: datetime, area_prefix: str | None
) -> Sequence[Any]:
    """Per community and grid member who returned them: the cases received in
    [start, end) the member returned, and how many of those the member holds now."""
    r, f = ReturnRecord, CaseFact
    holds = and_(
        f.assignee_id == r.staff_id,
        f.assignee_role == "grid_member",
        f.community_code == r.community_code,
    )
    where: list[ColumnElement[bool]] = [
        r.staff_role == "grid_member",
        r.community_code.is_not(None),
        f.ended.is_(None),
        f.received_at >= start,
        f.received_at < end,
    ]
    if area_prefix is not None:
        where.append(r.community_code.startswith(area_prefix, autoescape=True))
    result = await session.execute(
        select(
            r.community_code,
            r.staff_id,
            func.count(r.case_id.distinct()).label("returned"),
            func.count(r.case_id.distinct()).filter(holds).label("returned_held"),
        )
        .join(f, f.case_id == r.case_id)
        .where(*where)
        .group_by(r.community_code, r.staff_id)
    )
    return result.all()
