"""All of the reports' SQL: the facts projection and the aggregates over it."""

from __future__ import annotations

from collections.abc import Sequence
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
    func,
    inspect,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, make_transient_to_detached

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
_NEW_FACT = insert(_FACTS).values(case_id=bindparam("case_id"), updated_at=bindparam("now"))
# Built once, a plain statement: a row that exists is "updated" to itself, which locks
# it as SELECT … FOR UPDATE would, and returned as it stands.
_LOCK = _NEW_FACT.on_conflict_do_update(
    index_elements=["case_id"], set_={"case_id": _NEW_FACT.excluded.case_id}
).returning(*(column for _, column in _COLUMNS))

_HELD = "escalation.reports.held"
"""Where a transaction keeps the facts rows it locked (``session.info``), by case,
with the transaction they belong to. A run of events (one transaction) often holds
several of one case (routed, then assigned): the row is locked and read once, the
events change the object kept here, and what they changed is written when the
transaction commits, in one ``UPDATE`` a row. The projection's rows change through
here only; nothing in a consumer reads them back through SQL."""


# The lock, and the parents of the case's areas (the directory's, by code) in the same
# statement: a case's first event of a run reads both.
_AREA_PARENTS = (
    select(func.jsonb_object_agg(AreaEntry.code, AreaEntry.parent_code, type_=JSONB))
    .where(AreaEntry.code == any_(bindparam("areas", type_=ARRAY(String()))))
    .scalar_subquery()
)
_LOCK_READING_PARENTS = _LOCK.returning(_AREA_PARENTS)


async def lock(session: AsyncSession, *, case_id: UUID, now: datetime) -> CaseFact:
    """The case's facts row, created if new, locked for this transaction and kept for
    the rest of it (read once); its changes are written when the transaction commits."""
    fact = _held(session).get(case_id)
    if fact is None:
        fact, _ = await _lock(session, _LOCK, {"case_id": case_id, "now": now})
    return fact


async def lock_reading_parents(
    session: AsyncSession, *, case_id: UUID, now: datetime, areas: Sequence[str]
) -> tuple[CaseFact, dict[str, str | None]]:
    """:func:`lock` of a row this transaction does not hold (:func:`held`), and the
    parent of each known area among `areas`, in one statement."""
    fact, parents = await _lock(
        session, _LOCK_READING_PARENTS, {"case_id": case_id, "now": now, "areas": list(areas)}
    )
    return fact, dict(parents or {})


async def _lock(
    session: AsyncSession, statement: Any, values: dict[str, Any]
) -> tuple[CaseFact, Any]:
    case_id = values["case_id"]
    report = _reports(session).pop(case_id, None)
    if report is not None:  # its report first, as the events came
        await session.execute(_REPORTED, report)
    row = (await session.execute(statement, values)).one()
    columns, extra = row[: len(_COLUMNS)], row[len(_COLUMNS) :]
    fact = CaseFact(**{key: value for (key, _), value in zip(_COLUMNS, columns, strict=True)})
    # As loaded, yet out of the session until the commit: the flushes between events
    # leave it be, and what they change is its history.
    make_transient_to_detached(fact)
    _held(session)[case_id] = fact
    return fact, extra[0] if extra else None


def held(session: AsyncSession, case_id: UUID) -> CaseFact | None:
    """The case's facts row if this transaction holds it already (:func:`lock`)."""
    return _held(session).get(case_id)


def _held(session: AsyncSession) -> dict[UUID, CaseFact]:
    # Locks end with their transaction: what another one held is not this one's.
    return held_until_commit(session, _HELD, dict, _write_held)


def _write_held(session: Session, held: dict[UUID, CaseFact]) -> None:
    """Before the commit's flush: the held rows go back into the session, so that
    flush writes what the transaction's events changed."""
    for fact in held.values():
        key = inspect(fact).key
        if key is not None and key in session.identity_map:
            session.merge(fact)  # loaded again meanwhile: onto that one, no read
        else:
            session.add(fact)


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


_REPORTS = "escalation.reports.reports"
"""Where a transaction keeps intake's reports of cases it does not hold
(``session.info``), by case, with the transaction they belong to: written when it
commits, all in one statement, in the order of their case ids. The reports' group
then holds no facts row until its commit, and takes its rows in one order: it
deadlocks far less often with the clocks' group, whose runs lock their cases' rows as
their events come (a deadlock is retried as any failed run is)."""


async def reported(
    session: AsyncSession,
    *,
    case_id: UUID,
    tracking_no: str,
    channel: str,
    priority: str,
    received_at: datetime,
    now: datetime,
) -> None:
    """Intake's report of a case into a facts row this transaction does not hold
    (:func:`held`), written when the transaction commits (:data:`_REPORTS`): created if
    new, else its report's fields set (a priority dispatch set already stays). A second
    report of the case in the transaction writes the first at once."""
    reports = _reports(session)
    earlier = reports.pop(case_id, None)
    if earlier is not None:
        await session.execute(_REPORTED, earlier)
    reports[case_id] = {
        "case_id": case_id,
        "tracking_no": tracking_no,
        "channel": channel,
        "priority": priority,
        "received_at": received_at,
        "now": now,
    }


def _reports(session: AsyncSession) -> dict[UUID, dict[str, Any]]:
    return held_until_commit(session, _REPORTS, dict, _write_reports)


def _write_reports(session: Session, reports: dict[UUID, dict[str, Any]]) -> None:
    """Before the commit: the transaction's reports, in one statement, by case id."""
    if reports:
        session.execute(_REPORTED, [reports[case_id] for case_id in sorted(reports)])


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
