from __future__ import annotations

from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, model_validator


class TicketIn(BaseModel):
    """A 12345 hotline ticket (DESIGN.md §4). Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    ticket_no: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    received_at: AwareDatetime
    caller_name: str | None = Field(default=None, min_length=1, max_length=50)
    caller_phone: str | None = Field(
        default=None, pattern=r"^\+?[0-9][0-9 -]{4,19}$", description="stored encrypted"
    )
    content: str = Field(min_length=1, max_length=4000)
    category_hint: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    urgency: Literal["urgent", "normal"] = "normal"
    attachments: list[HttpUrl] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _both_coordinates(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self
