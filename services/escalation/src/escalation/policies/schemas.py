from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from gridcase_events.kit.text import StorableText

ClockKind = Literal["sign_for", "first_contact", "resolution", "callback", "ownership"]
"""The clocks a case runs; a policy sets the limit of one of them."""


class PolicyFields(BaseModel):
    district_code: str | None = Field(
        default=None,
        pattern=r"^(\d{6})?$",
        description="\"\" the city's default; a district code: that district's own, which "
        "overrides the default there; absent: the caller's district (the city's default "
        "for an admin of the whole deployment)",
    )
    category_code: StorableText = Field(
        default="*",
        min_length=1,
        max_length=64,
        pattern=r"^[^\x00-\x1f\x7f]+$",  # no control characters
        description='"*" for any category',
    )
    priority: Literal["urgent", "normal", "*"] = "*"
    clock: ClockKind
    amount: int = Field(ge=0, le=100_000)
    unit: Literal["minutes", "hours", "days", "working_days"]
    working_hours: bool = False
    end_of_day: bool = False


class PolicyIn(PolicyFields):
    expected_updated_at: AwareDatetime | None = Field(
        default=None,
        description="the row's updated_at as the editor read it: when someone changed it "
        "since, nothing is saved (409, naming who and when); absent: saved regardless",
    )


class PolicyRead(PolicyFields):
    updated_at: datetime = Field(description="the row's version: send it back to change it")
    updated_by: str
