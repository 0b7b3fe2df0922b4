"""Supervision orders (督办): a yellow card when a resolution clock breaches, a red card
when the case is still open some working days later, and orders issued by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks.models import CaseClock
from escalation.deps import EscalationRuntime
from escalation.supervision.models import SupervisionOrder
from gridcase_events import payloads
from gridcase_events.envelope import new_id


async def issue(
    *,
    session: AsyncSession,
    runtime: EscalationRuntime,
    clock: CaseClock,
    card: str,
    source: str,
    reason: str,
    issued_by: str,
    at: datetime,
    correlation_id: str,
) -> SupervisionOrder:
    order = SupervisionOrder(
        id=new_id(),
        case_id=clock.case_id,
        tracking_no=clock.tracking_no,
        card=card,
        source=source,
        reason=reason,
        issued_by=issued_by,
        grid_code=clock.grid_code,
        department_code=clock.department_code,
        issued_at=at,
    )
    session.add(order)
    await session.flush()
    await runtime.emit(
        session,
        payloads.SupervisionIssued(
            order_id=order.id,
            case_id=order.case_id,
            tracking_no=order.tracking_no,
            card=card,
            source=source,
            reason=reason,
            issued_by=issued_by,
            grid_code=order.grid_code,
            department_code=order.department_code,
            issued_at=at,
        ),
        subject=str(order.case_id),
        correlation_id=correlation_id,
    )
    return order


async def search(
    session: AsyncSession,
    *,
    area_prefix: str | None,
    department_code: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[Any]:
    query = select(SupervisionOrder)
    if area_prefix is not None:
        query = query.where(SupervisionOrder.grid_code.startswith(area_prefix, autoescape=True))
    if department_code is not None:
        query = query.where(SupervisionOrder.department_code == department_code)
    if since is not None:
        query = query.where(SupervisionOrder.issued_at >= since)
    if until is not None:
        query = query.where(SupervisionOrder.issued_at < until)
    result = await session.execute(query.order_by(SupervisionOrder.issued_at.desc()).limit(limit))
    return list(result.scalars())
