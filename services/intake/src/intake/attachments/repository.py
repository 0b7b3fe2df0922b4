"""All of intake's SQL about attachments."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, Uuid, literal, select
from sqlalchemy import delete as sa_delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.attachments.models import Attachment, AttachmentEvidence, AttachmentUpload


async def add_if_new(session: AsyncSession, values: dict[str, Any]) -> bool:
    result = await session.execute(
        insert(Attachment).values(**values).on_conflict_do_nothing().returning(Attachment.name)
    )
    return result.first() is not None


async def add_upload(
    session: AsyncSession, *, name: str, uploaded_by: str, uploaded_at: datetime
) -> None:
    """Records an uploader of the file (again: the latest time)."""
    statement = insert(AttachmentUpload).values(
        name=name, uploaded_by=uploaded_by, uploaded_at=uploaded_at
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[AttachmentUpload.name, AttachmentUpload.uploaded_by],
            set_={"uploaded_at": statement.excluded.uploaded_at},
        )
    )


async def get(session: AsyncSession, name: str) -> Attachment | None:
    return await session.get(Attachment, name)


async def uploaded_by(session: AsyncSession, *, name: str, uploader: str) -> bool:
    result = await session.execute(
        select(AttachmentUpload.name).where(
            AttachmentUpload.name == name, AttachmentUpload.uploaded_by == uploader
        )
    )
    return result.first() is not None


async def existing_names(session: AsyncSession, names: Collection[str]) -> set[str]:
    """The stored names among `names`, share-locked until the transaction ends (so the
    orphan purge, which skips locked rows, cannot take a file a report is referencing)."""
    if not names:
        return set()
    result = await session.execute(
        select(Attachment.name).where(Attachment.name.in_(names)).with_for_update(read=True)
    )
    return set(result.scalars())


async def lock_expired(session: AsyncSession, *, before: datetime, limit: int) -> list[str]:
    """Up to `limit` files nobody uploaded since `before` and no resolution gave as
    evidence, locked for deletion (rows other transactions hold are skipped: an upload
    or a report at work on them)."""
    recent = select(AttachmentUpload.name).where(
        AttachmentUpload.name == Attachment.name, AttachmentUpload.uploaded_at >= before
    )
    evidence = select(AttachmentEvidence.name).where(AttachmentEvidence.name == Attachment.name)
    result = await session.execute(
        select(Attachment.name)
        .where(
            Attachment.purgeable,
            Attachment.created_at < before,
            ~recent.exists(),
            ~evidence.exists(),
        )
        .order_by(Attachment.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(result.scalars())


async def delete(session: AsyncSession, names: Collection[str]) -> None:
    """Deletes the files' rows (their uploads and evidence go with them)."""
    if names:
        await session.execute(sa_delete(Attachment).where(Attachment.name.in_(list(names))))


async def add_evidence(
    session: AsyncSession, *, names: Collection[str], case_id: UUID, at: datetime
) -> None:
    """Records the stored files among `names` as the case's evidence, once."""
    if not names:
        return
    rows = select(Attachment.name, literal(case_id, Uuid), literal(at, DateTime(timezone=True)))
    await session.execute(
        insert(AttachmentEvidence)
        .from_select(
            ["name", "case_id", "recorded_at"], rows.where(Attachment.name.in_(list(names)))
        )
        .on_conflict_do_nothing()
    )


async def evidence_of(session: AsyncSession, name: str) -> list[UUID]:
    """The cases whose resolution gave the file as evidence."""
    result = await session.execute(
        select(AttachmentEvidence.case_id).where(AttachmentEvidence.name == name)
    )
    return list(result.scalars())


async def get_many(session: AsyncSession, names: Collection[str]) -> dict[str, Attachment]:
    """The stored files among `names`, by name."""
    if not names:
        return {}
    result = await session.execute(select(Attachment).where(Attachment.name.in_(list(names))))
    return {a.name: a for a in result.scalars()}


async def evidence_for(session: AsyncSession, case_id: UUID) -> list[tuple[str, datetime]]:
    """The files the case's resolutions gave as evidence, with when each was recorded,
    in that order."""
    result = await session.execute(
        select(AttachmentEvidence.name, AttachmentEvidence.recorded_at)
        .where(AttachmentEvidence.case_id == case_id)
        .order_by(AttachmentEvidence.recorded_at, AttachmentEvidence.name)
    )
    return [(name, at) for name, at in result.all()]
