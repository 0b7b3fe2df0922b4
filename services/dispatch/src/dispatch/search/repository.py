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
    case,
    false,
    func,
    literal,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from dispatch.deadlines.rules import RED_AT, YELLOW_AT
from dispatch.directory.models import Area, Category, Department, Staff
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


GRID_CODE = "^[0-9]{15}$"
"""A grid's code of the chained form (:class:`gridcase_events.areas.AreaCode`): its
community is its first 12 characters."""


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


# Characters no letter lowercases to, and that have no case themselves: CJK ideographs
# (and their extensions and compatibility block), CJK punctuation, ASCII digits,
# punctuation and space, fullwidth digits and punctuation (not fullwidth letters).
_CASELESS = (
    (0x20, 0x40),
    (0x5B, 0x60),
    (0x7B, 0x7E),
    (0x3000, 0x303F),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF01, 0xFF20),
    (0xFF3B, 0xFF40),
    (0xFF5B, 0xFF65),
    (0x20000, 0x3134F),
)


def caseless(text: str) -> bool:
    """Whether `text` has no letter that has a case (Chinese words, numbers). For such
    a pattern ``ILIKE`` and ``LIKE`` match the same rows: ``ILIKE`` lowercases both
    sides, and lowercasing never turns a character into one of these. ``LIKE`` skips
    lowercasing every candidate row, several times cheaper on the trigram recheck."""
    return all(any(lo <= ord(c) <= hi for lo, hi in _CASELESS) for c in text)


def _words(q: str) -> ColumnElement[bool]:
    pattern = _like(q)
    if caseless(q):
        return or_(Case.content.like(pattern), Case.address.like(pattern))
    return or_(Case.content.ilike(pattern), Case.address.ilike(pattern))


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
        clauses.append(_words(f.q))
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


def _order(sort: str, id_column: Any, column: Any) -> tuple[Any, Any]:
    if sort.startswith("-"):
        # reported_at and updated_at are never null: a plain DESC walks their index
        # backwards; the deadline may be missing, and those cases come last.
        key = column.desc().nulls_last() if sort == "-due_at" else column.desc()
        return key, id_column.desc()
    return column.asc(), id_column.asc()


def _page_statement(
    *,
    scope: Scope,
    filters: CaseFilters,
    sort: str,
    after: After | None,
    limit: int,
    now: datetime,
    located: bool,
) -> Select[Any]:
    """The page in two steps: the ids of its rows first (the covering indexes answer
    that alone for the scope and the queues' filters, so tens of thousands of index
    entries can be skipped over without reading their rows), then those rows."""
    ids = (
        _base(scope, filters, now, Case.id)
        .order_by(*_order(sort, Case.id, _sort_column(sort)))
        .limit(limit)
    )
    if after is not None:
        ids = ids.where(_after(sort, after))
    if located:
        ids = ids.where(Case.lat.is_not(None), Case.lon.is_not(None))
    chosen = ids.subquery("chosen")
    return (
        select(*COLUMNS)
        .join_from(Case, chosen, chosen.c.id == Case.id)
        .order_by(*_order(sort, Case.id, _sort_column(sort)))
    )


def _capped_count(scope: Scope, filters: CaseFilters, now: datetime, cap: int) -> Any:
    """How many match, counting no further than `cap` + 1 (an exact count of a million
    rows costs a second; a list needs to know "more than 10,000", not which)."""
    matching = _base(scope, filters, now, Case.id).limit(cap + 1).subquery()
    return select(func.count()).select_from(matching).scalar_subquery()


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
    await _custom_plans(session)
    stmt = _page_statement(
        scope=scope,
        filters=filters,
        sort=sort,
        after=after,
        limit=limit,
        now=now,
        located=located,
    )
    rows: Sequence[Row[Any]] = (await session.execute(stmt)).all()
    return rows


async def page_and_total(
    session: AsyncSession,
    *,
    scope: Scope,
    filters: CaseFilters,
    sort: str,
    after: After | None,
    limit: int,
    now: datetime,
    cap: int,
) -> tuple[Sequence[Row[Any]], int]:
    """:func:`page`, its names and :func:`count` in one statement (one round trip, not
    three): up to `limit` rows, and how many match in all, up to `cap` + 1. A first page
    shorter than `limit` is its own total, and the count is not run (PostgreSQL
    evaluates the count's subquery only when the ``CASE`` reaches it). Each row carries
    the names of its grid, community (``community_key``: the community named, else the
    one its grid's code says), department, category and assignee."""
    await _custom_plans(session)
    found = _page_statement(
        scope=scope, filters=filters, sort=sort, after=after, limit=limit, now=now, located=False
    ).cte("found")
    counted = _capped_count(scope, filters, now, cap)
    if after is None:
        on_page = select(func.count()).select_from(found).scalar_subquery()
        total: Any = case((on_page < limit, on_page), else_=counted)
    else:
        total = counted
    # One row even when the page is empty (its columns then null): the total rides on it.
    one = select(literal(1).label("one")).subquery("one")
    grid, community = aliased(Area, name="grid_area"), aliased(Area, name="community_area")
    community_key = func.coalesce(
        func.nullif(found.c.community_code, ""),
        case((found.c.grid_code.regexp_match(GRID_CODE), func.left(found.c.grid_code, 12))),
    )
    stmt: Select[Any] = (
        select(
            total.label("search_total"),
            *found.c,
            grid.name.label("grid_name"),
            community_key.label("community_key"),
            community.name.label("community_name"),
            Department.name.label("department_name"),
            Category.name.label("category_name"),
            Staff.name.label("assignee_name"),
        )
        .select_from(one.outerjoin(found, true()))
        .outerjoin(grid, grid.code == found.c.grid_code)
        .outerjoin(community, community.code == community_key)
        .outerjoin(Department, Department.code == found.c.department_code)
        .outerjoin(Category, Category.code == found.c.category_code)
        .outerjoin(Staff, Staff.staff_id == found.c.assignee_id)
        .order_by(*_order(sort, found.c.id, getattr(found.c, sort.lstrip("-"))))
    )
    result: Sequence[Row[Any]] = (await session.execute(stmt)).all()
    rows: list[Row[Any]] = [r for r in result if r.id is not None]
    return rows, int(result[0].search_total)


async def counts(
    session: AsyncSession,
    *,
    scope: Scope,
    filters: Sequence[CaseFilters],
    now: datetime,
    caps: Sequence[int],
) -> list[int]:
    """How many match each of several filters (a role's queues), each counted no further
    than its cap + 1, in one statement."""
    if not filters:
        return []
    await _custom_plans(session)
    stmt = select(
        *(
            _capped_count(scope, f, now, cap).label(f"n{i}")
            for i, (f, cap) in enumerate(zip(filters, caps, strict=True))
        )
    )
    return [int(n) for n in (await session.execute(stmt)).one()]
