"""All of intake's SQL about household visits."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.cases.models import Case
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


async def reports_of(
    session: AsyncSession, visit_ids: list[UUID]
) -> dict[UUID, list[tuple[UUID, str]]]:
    """Each visit's cases as (case id, tracking number)."""
    if not visit_ids:
        return {}
    result = await session.execute(
        select(VisitReport.visit_id, Case.id, Case.tracking_no)
        .join(Case, Case.id == VisitReport.case_id)
        .where(VisitReport.visit_id.in_(visit_ids))
        .order_by(Case.reported_at)
    )
    reports: dict[UUID, list[tuple[UUID, str]]] = defaultdict(list)
    for visit_id, case_id, tracking_no in result.all():
        reports[visit_id].append((case_id, tracking_no))
    return reports
