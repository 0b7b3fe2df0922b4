"""All of escalation's SQL about clocks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks.models import CaseClock


async def start_once(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Starts a clock unless the case already has one of that kind."""
    result = await session.execute(
        insert(CaseClock).values(**values).on_conflict_do_nothing().returning(CaseClock.id)
    )
    return result.first() is not None


async def of_case(session: AsyncSession, case_id: UUID) -> Sequence[CaseClock]:
    result = await session.execute(
        select(CaseClock).where(CaseClock.case_id == case_id).order_by(CaseClock.id)
    )
    return result.scalars().all()
