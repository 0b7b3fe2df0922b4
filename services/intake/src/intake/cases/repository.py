"""All of intake's SQL about cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, Integer, String, Text, literal, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.cases.models import Case, CaseStep


async def insert_if_new(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Inserts the case unless one with the same (channel, external_ref) or tracking
    number exists; a concurrent insert of the same key waits for the first to finish."""
    result = await session.execute(
        insert(Case).values(**values).on_conflict_do_nothing().returning(Case.id)
    )
    return result.first() is not None


async def get(session: AsyncSession, case_id: UUID) -> Case | None:
    return await session.get(Case, case_id)


async def get_by_external_ref(
    session: AsyncSession, *, channel: str, external_ref: str
) -> Case | None:
    result = await session.execute(
        select(Case).where(Case.channel == channel, Case.external_ref == external_ref)
    )
    return result.scalar_one_or_none()


async def get_by_tracking_no(session: AsyncSession, tracking_no: str) -> Case | None:
    result = await session.execute(select(Case).where(Case.tracking_no == tracking_no))
    return result.scalar_one_or_none()


async def advance_status(
    session: AsyncSession, *, case_id: UUID, version: int, values: dict[str, Any]
) -> bool:
    """Applies a dispatch event unless a newer one (a higher case version) is already
    applied. Events of one version come from one transaction, in order, on one partition."""
    result = await session.execute(
        update(Case)
        .where(Case.id == case_id, Case.status_version <= version)
        .values(status_version=version, **values)
        .returning(Case.id)
    )
    return result.first() is not None


async def add_step(
    session: AsyncSession,
    *,
    case_id: UUID,
    version: int,
    status: str,
    at: datetime,
    note: str | None,
) -> None:
    """Records a step of a case intake knows, once (a redelivered event adds nothing;
    an event about a case intake never took in adds nothing either)."""
    rows = select(
        Case.id,
        literal(version, Integer),
        literal(status, String),
        literal(at, DateTime(timezone=True)),
        literal(note, Text),
    ).where(Case.id == case_id)
    await session.execute(
        insert(CaseStep)
        .from_select(["case_id", "version", "status", "at", "note"], rows)
        .on_conflict_do_nothing()
    )


async def steps(session: AsyncSession, case_id: UUID) -> list[CaseStep]:
    result = await session.execute(
        select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.version, CaseStep.at)
    )
    return list(result.scalars())


async def advance_expected(
    session: AsyncSession,
    *,
    case_id: UUID,
    generation: int,
    changed_at: datetime,
    expected_at: datetime,
) -> bool:
    """Sets the resolution deadline unless a later one (a higher generation, or the same
    generation changed later) is already set."""
    result = await session.execute(
        update(Case)
        .where(
            Case.id == case_id,
            (Case.expected_changed_at.is_(None))
            | (
                tuple_(Case.expected_generation, Case.expected_changed_at)
                <= tuple_(generation, changed_at)
            ),
        )
        .values(
            expected_at=expected_at,
            expected_generation=generation,
            expected_changed_at=changed_at,
        )
        .returning(Case.id)
    )
    return result.first() is not None
