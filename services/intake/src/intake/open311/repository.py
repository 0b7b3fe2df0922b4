"""All of intake's SQL about Open311 requests."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from intake.cases.models import Case
from intake.open311.models import Open311Request


async def add(session: AsyncSession, values: dict[str, Any]) -> Open311Request:
    request = Open311Request(**values)
    session.add(request)
    await session.flush()
    return request


def _cases() -> Select[Case, Open311Request]:
    return select(Case, Open311Request).outerjoin(Open311Request, Open311Request.case_id == Case.id)


async def by_tracking_nos(
    session: AsyncSession, tracking_nos: Collection[str]
) -> list[tuple[Case, Open311Request | None]]:
    result = await session.execute(
        _cases().where(Case.tracking_no.in_(list(tracking_nos))).order_by(Case.reported_at.desc())
    )
    return [(row[0], row[1]) for row in result.all()]


async def search(
    session: AsyncSession,
    *,
    service_codes: Collection[str],
    start: datetime,
    end: datetime,
    closed: bool | None,
    closed_statuses: Collection[str],
    limit: int,
    offset: int = 0,
) -> list[tuple[Case, Open311Request | None]]:
    """Cases requested in [start, end], newest first (a page of `limit` from `offset`); `closed`: only closed ones (a
    status in `closed_statuses`), only open ones, or (None) both."""
    query = _cases().where(Case.reported_at >= start, Case.reported_at <= end)
    if service_codes:
        query = query.where(
            func.coalesce(Case.category_code, Case.category_hint).in_(list(service_codes))
        )
    if closed is True:
        query = query.where(Case.status.in_(list(closed_statuses)))
    elif closed is False:
        query = query.where(Case.status.not_in(list(closed_statuses)))
    result = await session.execute(
        query.order_by(Case.reported_at.desc(), Case.id.desc()).limit(limit).offset(offset)
    )
    return [(row[0], row[1]) for row in result.all()]
