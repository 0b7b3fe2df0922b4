from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

# The refusals of an upload, for the OpenAPI document of every upload endpoint.
UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"description": "file over INTAKE_ATTACHMENTS_MAX_BYTES"},
    415: {"description": "content is not JPEG, PNG, WebP or PDF"},
}


class AttachmentRead(BaseModel):
    """A stored file; cases reference it by `url`."""

    url: str = Field(description="put this in a report's `attachments`")
    sha256: str
    size: int
    content_type: str


class CaseAttachmentRead(BaseModel):
    """A file that belongs to a case."""

    url: str = Field(description="as the report or resolution carries it")
    name: str | None = Field(
        description="the stored file (`<sha256>.<ext>`), downloaded by "
        "GET /v1/attachments/{name}; null for a link intake does not store "
        "(a 12345 ticket's own attachment URL)"
    )
    content_type: str | None = Field(description="as stored (sniffed at upload); null for a link")
    size: int | None = Field(description="bytes, as stored; null for a link")
    source: Literal["report", "duplicate", "evidence"] = Field(
        description="the case's report, a duplicate report merged into it, or a "
        "resolution's evidence"
    )
    tracking_no: str = Field(description="the report that carried it (a duplicate's own number)")
    added_at: datetime = Field(description="when the report was made or the evidence recorded")


class CaseAttachmentsRead(BaseModel):
    case_id: UUID
    tracking_no: str
    items: list[CaseAttachmentRead]
