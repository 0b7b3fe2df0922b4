from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from gridcase_events.kit import text
from intake.district import within_district

MAX_CONTENT = 4000
# A ticket's received_at is the case's reported_at, searched ± the merge window: it must
# be a real moment, not one the date arithmetic cannot reach.
EARLIEST_RECEIVED_AT = datetime(2000, 1, 1, tzinfo=UTC)
MAX_RECEIVED_AHEAD = timedelta(days=1)


class TicketIn(BaseModel):
    """A 12345 hotline ticket (the hotline channel in ``docs/architecture.md``).
    Unknown fields are ignored.

    Validated with the context ``{"district": District}``, coordinates must also lie in
    the district (``intake.district``: the imported grids, or ``INTAKE_DISTRICT_BOUNDS``)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    ticket_no: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    received_at: AwareDatetime
    caller_name: str | None = Field(default=None, min_length=1, max_length=50)
    caller_phone: str | None = Field(
        default=None, pattern=r"^\+?[0-9][0-9 -]{4,19}$", description="stored encrypted"
    )
    content: str = Field(min_length=1, max_length=MAX_CONTENT)
    category_hint: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    urgency: Literal["urgent", "normal"] = "normal"
    attachments: list[HttpUrl] = Field(default_factory=list, max_length=20)

    @field_validator("caller_name", "content", "category_hint", "address", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        return text.storable(value)

    @field_validator("received_at")
    @classmethod
    def _a_sane_moment(cls, value: datetime, info: ValidationInfo) -> datetime:
        now = info.context.get("now") if isinstance(info.context, dict) else None
        latest = (now if isinstance(now, datetime) else datetime.now(UTC)) + MAX_RECEIVED_AHEAD
        if not EARLIEST_RECEIVED_AT <= value <= latest:
            raise PydanticCustomError(
                "received_at_out_of_range",
                "received_at must lie between {earliest} and {latest} (one day from now)",
                {"earliest": EARLIEST_RECEIVED_AT.isoformat(), "latest": latest.isoformat()},
            )
        return value

    _inside_the_district = field_validator("lat", "lon")(within_district)

    @model_validator(mode="after")
    def _both_coordinates(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self


class TicketBatchIn(BaseModel):
    """Up to ``INTAKE_BATCH_MAX_TICKETS`` (500) tickets; each is checked on its own.
    Other fields are ignored, as in a single ticket."""

    model_config = ConfigDict(extra="ignore")

    tickets: list[Any] = Field(
        min_length=1, description="hotline tickets, each as for POST /v1/hotline/tickets"
    )


class TicketResult(BaseModel):
    """What became of one ticket of a batch, at its index."""

    index: int
    ticket_no: str | None = Field(description="as sent, when it was a string")
    result: Literal["created", "duplicate", "invalid"]
    case_id: UUID | None = None
    tracking_no: str | None = None
    merged_into: str | None = Field(
        default=None, description="the tracking number of the open case it duplicates"
    )
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="field errors of an invalid ticket (as in a 422)"
    )


class TicketBatchResult(BaseModel):
    """Results in the order of the tickets sent, and their counts."""

    created: int
    duplicate: int
    invalid: int
    results: list[TicketResult]
