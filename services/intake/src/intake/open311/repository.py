"""All of intake's SQL about Open311 requests."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intake.open311.models import Open311Request


async def add(session: AsyncSession, values: dict[str, Any]) -> Open311Request:
    request = Open311Request(**values)
    session.add(request)
    await session.flush()
    return request


async def extras_of(
    session: AsyncSession, case_ids: Collection[UUID]
) -> dict[UUID, Open311Request]:
    """The Open311 extras of the cases that came in through Open311."""
    if not case_ids:
        return {}
    result = await session.execute(
        select(Open311Request).where(Open311Request.case_id.in_(list(case_ids)))
    )
    return {extra.case_id: extra for extra in result.scalars()}
