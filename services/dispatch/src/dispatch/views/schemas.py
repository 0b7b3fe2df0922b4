from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from dispatch.search.schemas import CaseFilters, SortKey
from dispatch.text import Text


class ViewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=100)
    filter: CaseFilters = Field(default_factory=CaseFilters)
    sort: SortKey = "-reported_at"


class ViewRead(BaseModel):
    id: UUID
    name: str
    filter: dict[str, object] = Field(description="the query of GET /v1/cases it stands for")
    sort: SortKey
    created_at: datetime
