"""All of intake's SQL about household visits."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.visits.models import HouseholdVisit, VisitReport


async def add(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(HouseholdVisit).values(**values))


async def get(session: AsyncSession, visit_id: UUID) -> HouseholdVisit | None:
    return await session.get(HouseholdVisit, visit_id)


async def add_report(session: AsyncSession, *, case_id: UUID, visit_id: UUID) -> None:
    await session.execute(insert(VisitReport).values(case_id=case_id, visit_id=visit_id))


async def at_address(session: AsyncSession, address_key: str) -> list[HouseholdVisit]:
    result = await session.execute(
        select(HouseholdVisit)
        .where(HouseholdVisit.address_key == address_key)
        .order_by(HouseholdVisit.visited_at, HouseholdVisit.id)
    )
    return list(result.scalars())


async def reports_of(session: AsyncSession, visit_ids: list[UUID]) -> dict[UUID, list[UUID]]:
    """Each visit's cases (their ids)."""
    if not visit_ids:
        return {}
    result = await session.execute(
        select(VisitReport.visit_id, VisitReport.case_id).where(VisitReport.visit_id.in_(visit_ids))
    )
    reports: dict[UUID, list[UUID]] = defaultdict(list)
    for visit_id, case_id in result.all():
        reports[visit_id].append(case_id)
    return reports
