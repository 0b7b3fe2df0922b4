"""All of escalation's SQL about supervision orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.supervision.models import SupervisionOrder


async def add(session: AsyncSession, order: SupervisionOrder) -> SupervisionOrder:
    session.add(order)
    await session.flush()
    return order


async def locked(session: AsyncSession, order_id: UUID) -> SupervisionOrder | None:
    """The order, locked until the transaction ends and read afresh (answered once)."""
    return await session.get(
        SupervisionOrder, order_id, with_for_update=True, populate_existing=True
    )


async def search(
    session: AsyncSession,
    *,
    area_prefix: str | None,
    department_code: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    case_id: UUID | None = None,
    district: str | None = None,
) -> Sequence[SupervisionOrder]:
    query = select(SupervisionOrder)
    if district is not None:
        query = query.where(SupervisionOrder.district_code == district)
    if area_prefix is not None:
        query = query.where(SupervisionOrder.grid_code.startswith(area_prefix, autoescape=True))
    if department_code is not None:
        query = query.where(SupervisionOrder.department_code == department_code)
    if case_id is not None:
        query = query.where(SupervisionOrder.case_id == case_id)
    if since is not None:
        query = query.where(SupervisionOrder.issued_at >= since)
    if until is not None:
        query = query.where(SupervisionOrder.issued_at < until)
    result = await session.execute(query.order_by(SupervisionOrder.issued_at.desc()).limit(limit))
    return result.scalars().all()
