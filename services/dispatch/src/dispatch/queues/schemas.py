from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class QueueRead(BaseModel):
    key: str = Field(description="stable, for the console's routes: triage, returned, mine …")
    name: str = Field(description="the queue's name as the screens show it (zh-CN)")
    filter: dict[str, Any] = Field(description="the query of GET /v1/cases that lists it")
    count: int = Field(description="at most 10,000 (then read it as 10,000+)")
    count_exact: bool = Field(
        default=True, description="false when more than 10,000 match (then show 10,000+)"
    )


class QueuesRead(BaseModel):
    items: list[QueueRead]
