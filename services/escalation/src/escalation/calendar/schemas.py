from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from escalation.policies.schemas import ClockKind, PolicyRead
from gridcase_events.kit.text import StorableText


class CalendarDayIn(BaseModel):
    district_code: str | None = Field(
        default=None,
        pattern=r"^(\d{6})?$",
        description="\"\" the city's default; a district code: that district's own, which "
        "overrides the default there; absent: the caller's district (the city's default "
        "for an admin of the whole deployment)",
    )
    day: date
    working: bool = Field(description="false: a local holiday; true: a make-up working day")
    name: StorableText = Field(min_length=1, max_length=100)
    expected_updated_at: AwareDatetime | None = Field(
        default=None,
        description="the day's updated_at as the editor read it: when someone changed it "
        "since, nothing is saved (409, naming who and when); absent: saved regardless",
    )


class CalendarDayRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    district_code: str = Field(description="\"\" the city's day; else that district's own")
    day: date
    working: bool
    name: str
    updated_at: datetime = Field(description="the day's version: send it back to change it")
    updated_by: str


class DeadlinePreview(BaseModel):
    category_code: str | None
    priority: str
    clock: ClockKind
    start: AwareDatetime
    due_at: AwareDatetime
    due_local: str
    policy: PolicyRead
