from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

TaskStatus = Literal["assigned", "accepted"]


class TimelineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    actor: str
    detail: dict[str, Any]


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    tracking_no: str
    channel: str
    status: str
    category_code: str | None
    priority: str
    content: str
    address: str | None
    lat: float | None
    lon: float | None
    target: str
    grid_code: str | None
    department_code: str | None
    route_method: str
    route_reason: str
    assignee_id: str | None
    assignee_post: str | None
    reported_at: datetime
    updated_at: datetime
    version: int


class CaseDetail(CaseRead):
    timeline: list[TimelineRead]
