"""The operators' case search (GET /v1/cases): filters, keyset pages, names and the
running deadline on every row, scoped exactly as a single case is
(:func:`gridcase_events.kit.auth.scope_of`, the rule behind ``can_see``)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch.deadlines import rules as deadline_rules
from dispatch.directory import repository as directory_repository
from dispatch.search import exports, repository
from dispatch.search.schemas import (
    CaseCard,
    CaseCardPage,
    CaseExport,
    CaseFilters,
    CaseMapQuery,
    CasePage,
    CaseQuery,
    CaseRow,
)
from gridcase_events.areas import AreaCode
from gridcase_events.kit.auth import Principal, scope_of
from gridcase_events.kit.errors import Invalid

Names = dict[directory_repository.NameKind, dict[str, str]]

COUNT_CAP = 10_000
"""Totals are exact up to this many; beyond, ``total`` is the cap and ``total_exact``
false (the list shows "10,000+")."""

WORDS_COUNT_CAP = 1_000
"""The cap of a search with words (``q``): the trigram index only narrows the
candidates, each must be read and matched, so a common word ("井盖", one case in ten)
would cost 10,000 row reads to count; an operator looking for words reads "1,000+"
as "narrow it down"."""


def count_cap(filters: CaseFilters) -> int:
    return WORDS_COUNT_CAP if filters.q is not None else COUNT_CAP


def encode_cursor(sort: str, value: datetime | None, case_id: UUID) -> str:
    raw = json.dumps([sort, value.isoformat() if value else None, str(case_id)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> repository.After:
    """Raises :class:`Invalid` (422) for a cursor that is not ours or of another sort."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        their_sort, value, case_id = json.loads(raw)
        after = repository.After(
            value=datetime.fromisoformat(value) if value is not None else None,
            id=UUID(case_id),
        )
    except (binascii.Error, ValueError, TypeError) as exc:
        raise Invalid("cursor is not one this API gave out") from exc
    if their_sort != sort:
        raise Invalid(f"this cursor belongs to sort={their_sort}; keep the sort while paging")
    if after.value is not None and after.value.tzinfo is None:
        raise Invalid("cursor is not one this API gave out")
    return after


async def _names(session: AsyncSession, rows: Sequence[Row[Any]]) -> Names:
    areas: set[str] = set()
    for r in rows:
        areas.update(c for c in (r.grid_code, _community(r)) if c)
    return await directory_repository.names_of_kinds(
        session,
        {
            "areas": areas,
            "departments": {r.department_code for r in rows if r.department_code},
            "categories": {r.category_code for r in rows if r.category_code},
            "staff": {r.assignee_id for r in rows if r.assignee_id},
        },
    )


async def _joined_names(session: AsyncSession, rows: Sequence[Row[Any]]) -> Names:
    """The names :func:`repository.page_and_total` joined onto its rows. A community the
    statement could not derive as :class:`AreaCode` does (a code of another shape) is
    looked up apart; with chained codes, never."""
    names: Names = {"areas": {}, "departments": {}, "categories": {}, "staff": {}}
    joined: list[tuple[directory_repository.NameKind, str | None, str | None]] = []
    for r in rows:
        joined += [
            ("areas", r.grid_code, r.grid_name),
            ("areas", r.community_key, r.community_name),
            ("departments", r.department_code, r.department_name),
            ("categories", r.category_code, r.category_name),
            ("staff", r.assignee_id, r.assignee_name),
        ]
    for kind, key, name in joined:
        if key and name is not None:
            names[kind][key] = name
    apart = {c for r in rows if (c := _community(r)) and c != r.community_key}
    if apart:
        names["areas"].update(
            (await directory_repository.names_of_kinds(session, {"areas": apart}))["areas"]
        )
    return names


def _community(row: Row[Any]) -> str | None:
    if row.community_code:
        return str(row.community_code)
    return AreaCode(row.grid_code).community if row.grid_code else None


def _row(r: Row[Any], names: Names, now: datetime) -> CaseRow:
    community = _community(r)
    return CaseRow(
        id=r.id,
        tracking_no=r.tracking_no,
        status=r.status,
        priority=r.priority,
        channel=r.channel,
        target=r.target,
        category_code=r.category_code,
        category_name=names["categories"].get(r.category_code or ""),
        summary=r.summary,
        address=r.address,
        grid_code=r.grid_code,
        grid_name=names["areas"].get(r.grid_code or ""),
        community_code=community,
        community_name=names["areas"].get(community or ""),
        department_code=r.department_code,
        department_name=names["departments"].get(r.department_code or ""),
        assignee_id=r.assignee_id,
        assignee_name=names["staff"].get(r.assignee_id or ""),
        reported_at=r.reported_at,
        updated_at=r.updated_at,
        due_at=r.due_at,
        due_clock=r.due_clock,
        sla=_sla(r, now),
        lat=r.lat,
        lon=r.lon,
    )


def _card(r: Row[Any], now: datetime) -> CaseCard:
    """The row as a phone's task card reads it (``view=card``): no names looked up."""
    return CaseCard(
        id=r.id,
        tracking_no=r.tracking_no,
        status=r.status,
        summary=r.summary,
        address=r.address,
        lat=r.lat,
        lon=r.lon,
        reported_at=r.reported_at,
        due_at=r.due_at,
        sla=_sla(r, now),
    )


def _sla(r: Row[Any], now: datetime) -> deadline_rules.SlaState | None:
    if r.due_at is None:
        return None
    return deadline_rules.state(
        due_at=r.due_at, warned_percent=r.warned_percent, breached=r.breached, now=now
    )


def _sort_value(row: Row[Any], sort: str) -> datetime | None:
    """The sort key of a read row (reported_at, due_at or updated_at), for the cursor."""
    value: datetime | None = getattr(row, sort.lstrip("-"))
    return value


async def search(
    *, session: AsyncSession, principal: Principal, query: CaseQuery, now: datetime
) -> CasePage | CaseCardPage:
    after = decode_cursor(query.cursor, query.sort) if query.cursor else None
    cap = count_cap(query)
    rows, total = await repository.page_and_total(
        session,
        scope=scope_of(principal),
        filters=query,
        sort=query.sort,
        after=after,
        limit=query.limit + 1,
        now=now,
        cap=cap,
    )
    page = rows[: query.limit]
    next_cursor = None
    if len(rows) > query.limit:
        last = page[-1]
        next_cursor = encode_cursor(query.sort, _sort_value(last, query.sort), last.id)
    if query.view == "card":
        return CaseCardPage(
            items=[_card(r, now) for r in page],
            next_cursor=next_cursor,
            total=min(total, cap),
            total_exact=total <= cap,
        )
    names = await _joined_names(session, page)
    return CasePage(
        items=[_row(r, names, now) for r in page],
        next_cursor=next_cursor,
        total=min(total, cap),
        total_exact=total <= cap,
    )


async def rows(
    *,
    session: AsyncSession,
    principal: Principal,
    filters: CaseFilters,
    sort: str,
    now: datetime,
    limit: int | None = None,
    batch: int = 500,
    located: bool = False,
) -> AsyncIterator[CaseRow]:
    """Every matching row in order, `batch` at a time (exports and maps), at most
    `limit` rows when given (`located`: only cases with a point)."""
    scope = scope_of(principal)
    after: repository.After | None = None
    given = 0
    while limit is None or given < limit:
        size = batch if limit is None else min(batch, limit - given)
        page = await repository.page(
            session,
            scope=scope,
            filters=filters,
            sort=sort,
            after=after,
            limit=size,
            now=now,
            located=located,
        )
        names = await _names(session, page)
        for r in page:
            yield _row(r, names, now)
        given += len(page)
        if len(page) < size:
            return
        last = page[-1]
        after = repository.After(value=getattr(last, sort.lstrip("-")), id=last.id)


async def csv_export(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    filters: CaseExport,
    now: datetime,
) -> AsyncIterator[bytes]:
    """The search as CSV, streamed. The stream outlives the request's unit of work, so
    it reads in a session of its own (read only: nothing to commit)."""
    yield exports.header_line().encode()
    async with sessionmaker() as session:
        async for row in rows(
            session=session, principal=principal, filters=filters, sort=filters.sort, now=now
        ):
            for line in exports.csv_lines([exports.csv_cells(row)]):
                yield line.encode()


async def map_points(
    *, session: AsyncSession, principal: Principal, query: CaseMapQuery, now: datetime
) -> dict[str, Any]:
    """The search as a GeoJSON FeatureCollection of the cases that have a point, newest
    first, at most ``query.limit`` (``truncated`` says whether more matched)."""
    features = [
        exports.feature(row)
        async for row in rows(
            session=session,
            principal=principal,
            filters=query,
            sort="-reported_at",
            now=now,
            limit=query.limit + 1,
            batch=1000,
            located=True,
        )
    ]
    return {
        "type": "FeatureCollection",
        "features": features[: query.limit],
        "truncated": len(features) > query.limit,
    }


async def counts(
    *,
    session: AsyncSession,
    principal: Principal,
    filters: Sequence[CaseFilters],
    now: datetime,
) -> list[tuple[int, bool]]:
    """How many cases in the caller's scope match each filter (a role's queues), in one
    statement: ``(count, exact)``, the count at most its :func:`count_cap`."""
    caps = [count_cap(f) for f in filters]
    totals = await repository.counts(
        session, scope=scope_of(principal), filters=filters, now=now, caps=caps
    )
    return [(min(total, cap), total <= cap) for total, cap in zip(totals, caps, strict=True)]
