"""The case search's SQL. It reads the workflow's ``cases`` alone: the running deadline
is copied onto the case's row (``due_*``, kept by the database from the deadlines
projection in the projection's own transaction), so a list filtered by the case (area,
status) and sorted by due time walks one index instead of joining two tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    false,
    func,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.deadlines.rules import RED_AT, YELLOW_AT
from dispatch.search.models import AREA
from dispatch.search.schemas import CaseFilters
from dispatch.workflow.models import Case
from gridcase_events.kit.auth import Scope

COLUMNS = (
    Case.id,
    Case.tracking_no,
    Case.status,
    Case.priority,
    Case.channel,
    Case.target,
    Case.category_code,
    func.left(Case.content, 100).label("summary"),
    Case.address,
    Case.grid_code,
    Case.community_code,
    Case.department_code,
    Case.assignee_id,
    Case.reported_at,
    Case.updated_at,
    Case.lat,
    Case.lon,
    Case.due_clock,
    Case.due_at,
    Case.due_warned_percent.label("warned_percent"),
    Case.due_breached.label("breached"),
)


@dataclass(frozen=True)
class After:
    """Where the previous page ended: its last row's sort value and id."""

    value: datetime | None
    id: UUID


def in_scope(scope: Scope) -> ColumnElement[bool]:
    """:meth:`Scope.covers` as SQL, over the case's area (grid, else community) and
    department — the same fields the single-case check passes it."""
    if scope.everything:
        return true()
    wall = true() if scope.district is None else _within_district(scope.district)
    if scope.department is not None:
        return and_(wall, Case.department_code == scope.department)
    if scope.area_prefix is None:
        return false()
    inside = AREA.startswith(scope.area_prefix, autoescape=True)
    return and_(wall, or_(AREA.is_(None), inside) if scope.without_area else inside)


def _within_district(district: str) -> ColumnElement[bool]:
    """``DISTRICT = district`` written so that the area indexes serve it: a case with an
    area is in the district its area code starts with, one without in the district it
    was reported in."""
    return or_(
        AREA.startswith(district, autoescape=True),
        and_(AREA.is_(None), Case.district_code == district),
    )


def _sla(state: str, now: datetime) -> ColumnElement[bool]:
    late = or_(Case.due_breached.is_(True), Case.due_at <= now)
    if state == "breached":
        return late
    on_time = and_(Case.due_breached.is_(False), Case.due_at > now)
    warned = Case.due_warned_percent
    if state == "red":
        return and_(on_time, warned >= RED_AT)
    if state == "yellow":
        return and_(on_time, warned >= YELLOW_AT, warned < RED_AT)
    return and_(on_time, warned < YELLOW_AT)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filters(f: CaseFilters, now: datetime) -> list[ColumnElement[bool]]:
    """One clause per filter given (McCabe: a flat list of independent ifs)."""
    exact: list[tuple[Any, Any]] = [
        (Case.target, f.target),
        (Case.department_code, f.department_code),
        (Case.category_code, f.category_code),
        (Case.channel, f.channel),
        (Case.priority, f.priority),
        (Case.assignee_id, f.assignee_id),
        (Case.tracking_no, f.tracking_no),
    ]
    clauses: list[ColumnElement[bool]] = [col == value for col, value in exact if value is not None]
    if f.status:
        clauses.append(Case.status.in_(f.status))
    if f.area_code is not None:
        clauses.append(AREA.startswith(f.area_code, autoescape=True))
    if f.q is not None:
        pattern = _like(f.q)
        clauses.append(or_(Case.content.ilike(pattern), Case.address.ilike(pattern)))
    if f.reported_from is not None:
        clauses.append(Case.reported_at >= f.reported_from)
    if f.reported_to is not None:
        clauses.append(Case.reported_at < f.reported_to)
    if f.sla is not None:
        clauses.append(_sla(f.sla, now))
    if f.returned is not None:
        clauses.append(Case.returns > 0 if f.returned else Case.returns == 0)
    return clauses


def _base(scope: Scope, filters: CaseFilters, now: datetime, *columns: Any) -> Select[Any]:
    return select(*columns).select_from(Case).where(in_scope(scope), *_filters(filters, now))


def _sort_column(sort: str) -> Any:
    return getattr(Case, sort.lstrip("-"))


def _after(sort: str, after: After) -> ColumnElement[bool]:
    """The keyset condition: rows strictly after `after` in the order of `sort` (ties
    by id; cases without a running deadline last, whichever the direction)."""
    column = _sort_column(sort)
    descending = sort.startswith("-")
    if after.value is None:  # only the deadline-less tail is left
        return and_(column.is_(None), Case.id < after.id if descending else Case.id > after.id)
    key, last = tuple_(column, Case.id), tuple_(after.value, after.id)
    beyond = key < last if descending else key > last
    return or_(beyond, column.is_(None)) if sort.lstrip("-") == "due_at" else beyond


_PLANS = "search.custom_plans"


async def _custom_plans(session: AsyncSession) -> None:
    """Plans made for the actual values: a prepared statement's generic plan cannot use
    the area prefix index (``LIKE $1``) or judge how rare the words of ``q`` are, and
    turns a 30 ms search into a scan of every case. Transaction-scoped, so set once per
    transaction (a page and its count share it)."""
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_PLANS) is transaction:
        return
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    session.info[_PLANS] = session.get_transaction()


async def page(
    session: AsyncSession,
    *,
    scope: Scope,
    filters: CaseFilters,
    sort: str,
    after: After | None,
    limit: int,
    now: datetime,
    located: bool = False,
) -> Sequence[Row[Any]]:
    """Up to `limit` rows in order after `after` (`located`: only cases with a point)."""
    column = _sort_column(sort)
    if sort.startswith("-"):
        # reported_at and updated_at are never null: a plain DESC walks their index
        # backwards; the deadline may be missing, and those cases come last.
        key = column.desc().nulls_last() if sort == "-due_at" else column.desc()
        order = (key, Case.id.desc())
    else:
        order = (column.asc(), Case.id.asc())
    await _custom_plans(session)
    stmt = _base(scope, filters, now, *COLUMNS).order_by(*order).limit(limit)
    if after is not None:
        stmt = stmt.where(_after(sort, after))
    if located:
        stmt = stmt.where(Case.lat.is_not(None), Case.lon.is_not(None))
    rows: Sequence[Row[Any]] = (await session.execute(stmt)).all()
    return rows


async def count(
    session: AsyncSession, *, scope: Scope, filters: CaseFilters, now: datetime, cap: int
) -> int:
    """How many match, counting no further than `cap` + 1 (an exact count of a million
    rows costs a second; a list needs to know "more than 10,000", not which)."""
    await _custom_plans(session)
    matching = _base(scope, filters, now, Case.id).limit(cap + 1).subquery()
    stmt = select(func.count()).select_from(matching)
    return int((await session.execute(stmt)).scalar_one())
