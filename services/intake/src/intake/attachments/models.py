from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base


class Attachment(Base):
    """A stored file, named by its content: ``<sha256 hex>.<extension>``."""

    __tablename__ = "attachments"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    uploaded_by: Mapped[str] = mapped_column(String(200), doc="the first uploader")
    # False for staff files stored before resolutions' evidence was recorded here (they
    # may be evidence dispatch holds): the orphan purge keeps them.
    purgeable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class AttachmentUpload(Base):
    """Who uploaded a file (the same content may come from several people): until a case
    references it, only they (and admins) may download it."""

    __tablename__ = "attachment_uploads"

    name: Mapped[str] = mapped_column(
        ForeignKey("attachments.name", ondelete="CASCADE"), primary_key=True
    )
    uploaded_by: Mapped[str] = mapped_column(
        String(200), primary_key=True, doc="staff:<id> or wall:<id>:client:<address>"
    )
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AttachmentEvidence(Base):
    """A file a resolution (办结) gave as evidence, from dispatch's ``case.resolved``:
    it then belongs to that case, like a report's own ``attachments``."""

    __tablename__ = "attachment_evidence"

    name: Mapped[str] = mapped_column(
        ForeignKey("attachments.name", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
