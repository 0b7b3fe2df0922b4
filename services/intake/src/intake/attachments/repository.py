"""All of intake's SQL about attachments."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.attachments.models import Attachment


async def add_if_new(session: AsyncSession, values: dict[str, Any]) -> bool:
    result = await session.execute(
        insert(Attachment).values(**values).on_conflict_do_nothing().returning(Attachment.name)
    )
    return result.first() is not None


async def get(session: AsyncSession, name: str) -> Attachment | None:
    return await session.get(Attachment, name)


async def existing_names(session: AsyncSession, names: Collection[str]) -> set[str]:
    if not names:
        return set()
    result = await session.execute(select(Attachment.name).where(Attachment.name.in_(names)))
    return set(result.scalars())
