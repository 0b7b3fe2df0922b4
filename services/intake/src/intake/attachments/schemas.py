from __future__ import annotations

from pydantic import BaseModel, Field


class AttachmentRead(BaseModel):
    """A stored file; cases reference it by `url`."""

    url: str = Field(description="put this in a report's `attachments`")
    sha256: str
    size: int
    content_type: str
