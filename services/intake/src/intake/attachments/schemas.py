from __future__ import annotations

from typing import Any

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
