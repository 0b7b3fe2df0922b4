"""The case search's query and its rows."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from dispatch.deadlines.rules import SlaState
from dispatch.text import Text
from gridcase_events.payloads import Channel, Priority, RouteTarget

CaseStatus = Literal[
    "triage",
    "routed",
    "assigned",
    "accepted",
    "suspended",
    "resolved",
    "closed",
    "evaluated",
    "reopened",
]
SortKey = Literal["reported_at", "-reported_at", "due_at", "-due_at", "updated_at", "-updated_at"]
CODE = r"^[0-9A-Za-z_./-]{1,64}$"


class CaseFilters(BaseModel):
    """What to look for; every filter narrows (AND), a repeated ``status`` widens."""

    model_config = ConfigDict(extra="forbid")

    status: list[CaseStatus] = Field(default_factory=list, max_length=9)
    target: RouteTarget | None = None
    area_code: str | None = Field(
        default=None,
        pattern=CODE,
        description="the case's grid, community, street or district starts with it",
    )
    department_code: str | None = Field(default=None, pattern=CODE)
    category_code: str | None = Field(default=None, pattern=CODE)
    channel: Channel | None = None
    priority: Priority | None = None
    assignee_id: Text | None = Field(default=None, min_length=1, max_length=64)
    tracking_no: Text | None = Field(default=None, min_length=1, max_length=32)
    q: Text | None = Field(
        default=None, min_length=1, max_length=100, description="words of the content or address"
    )
    reported_from: AwareDatetime | None = None
    reported_to: AwareDatetime | None = Field(default=None, description="exclusive")
    sla: SlaState | None = Field(default=None, description="the running clock's state")
    returned: bool | None = Field(
        default=None, description="true: handed back (退单) at least once; false: never"
    )

    @model_validator(mode="after")
    def _window(self) -> CaseFilters:
        if self.reported_from and self.reported_to and self.reported_from >= self.reported_to:
            raise ValueError("reported_from must come before reported_to")
        return self


CaseView = Literal["full", "card"]


class CaseQuery(CaseFilters):
    """The search: filters, order and the page."""

    sort: SortKey = "-reported_at"
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=500)
    view: CaseView = Field(
        default="full",
        description="full: every column of a list (the console); card: only what a phone's"
        " task card shows (`CaseCard`: no names, codes or counts)",
    )


class CaseRow(BaseModel):
    """What a list shows of a case: names, not only codes; the running deadline."""

    id: UUID
    tracking_no: str
    status: str
    priority: str
    channel: str
    target: str
    category_code: str | None
    category_name: str | None
    summary: str
    address: str | None
    grid_code: str | None
    grid_name: str | None
    community_code: str | None
    community_name: str | None
    department_code: str | None
    department_name: str | None
    assignee_id: str | None
    assignee_name: str | None
    reported_at: datetime
    updated_at: datetime
    due_at: datetime | None = Field(description="the running clock's deadline")
    due_clock: str | None = Field(description="which clock: sign_for, resolution …")
    sla: SlaState | None = Field(
        description="green, yellow, red or breached; none when no clock runs"
    )
    lat: float | None
    lon: float | None


class CaseCard(BaseModel):
    """What the grid member's task card shows of a case (``view=card``): the words, the
    place and the running deadline, nothing the card does not read."""

    id: UUID
    tracking_no: str
    status: str
    summary: str = Field(description="the first 100 characters of what the resident said")
    address: str | None
    lat: float | None
    lon: float | None
    reported_at: datetime
    due_at: datetime | None = Field(description="the running clock's deadline")
    sla: SlaState | None = Field(
        description="green, yellow, red or breached; none when no clock runs"
    )


class CasePage(BaseModel):
    items: list[CaseRow]
    next_cursor: str | None = Field(
        description="pass as `cursor` for the next page; null at the end"
    )
    total: int = Field(
        description="how many cases match, in your scope: at most 10,000, or 1,000 when"
        " searching words (`q`)"
    )
    total_exact: bool = Field(
        default=True,
        description="false when more match than `total` says (then show 10,000+, 1,000+)",
    )


class CaseCardPage(BaseModel):
    """The search's page with ``view=card``: the same cases, order, cursor and total."""

    items: list[CaseCard]
    next_cursor: str | None = Field(
        description="pass as `cursor` for the next page; null at the end"
    )
    total: int
    total_exact: bool = True


class CaseExport(CaseFilters):
    """The search as a file: the same filters and order, every matching row."""

    sort: SortKey = "-reported_at"


class CaseMapQuery(CaseFilters):
    """The search as map points: cases with a location, at most `limit`."""

    limit: int = Field(default=5000, ge=1, le=5000)
