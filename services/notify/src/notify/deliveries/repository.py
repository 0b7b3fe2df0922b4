"""All of notify's SQL about deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.deliveries.models import Delivery


async def plan(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Records a delivery intent once per idempotency key."""
    result = await session.execute(
        insert(Delivery).values(**values).on_conflict_do_nothing().returning(Delivery.id)
    )
    return result.first() is not None


async def claim_due(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int
) -> Sequence[Delivery]:
    """Claims due deliveries (and those whose lease ran out: a sender crashed), counting
    the attempt. Safe with several replicas (``FOR UPDATE SKIP LOCKED``)."""
    due = (
        select(Delivery.id)
        .where(
            or_(
                (Delivery.status == "pending") & (Delivery.next_attempt_at <= now),
                (Delivery.status == "sending") & (Delivery.lease_until <= now),
            )
        )
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(due.scalar_subquery()))
        .values(
            status="sending",
            attempts=Delivery.attempts + 1,
            lease_until=now + lease,
            updated_at=now,
        )
        .returning(Delivery)
    )
    return result.scalars().all()


async def finish(session: AsyncSession, delivery_id: UUID, values: dict[str, Any]) -> None:
    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


async def of_case(session: AsyncSession, case_id: UUID) -> Sequence[Delivery]:
    result = await session.execute(
        select(Delivery).where(Delivery.case_id == case_id).order_by(Delivery.created_at)
    )
    return result.scalars().all()
