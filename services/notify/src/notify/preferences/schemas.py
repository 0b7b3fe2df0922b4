from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gridcase_events.kit.text import StorableText
from notify.rules.schemas import ChannelName


class PreferenceFields(BaseModel):
    """What a person chooses: the same in what is sent and what is read back."""

    model_config = ConfigDict(extra="forbid")

    disabled_channels: list[ChannelName] = Field(
        default_factory=list,
        description="channels you do not want; SMS about urgent cases still reaches you",
    )
    email: StorableText | None = Field(
        None,
        max_length=254,
        pattern=r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$",
    )
    quiet_hours: str | None = Field(
        None,
        pattern=r"^(([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)?$",
        description="HH:MM-HH:MM local time; empty for none; null for the district default",
    )


class PreferenceUpdate(PreferenceFields):
    expected_updated_at: AwareDatetime | None = Field(
        default=None,
        description="the updated_at of these preferences as the editor read them: when "
        "someone saved them since, nothing is saved (409, naming who and when); absent: "
        "saved regardless",
    )


class PreferenceRead(PreferenceFields):
    model_config = ConfigDict(from_attributes=True)

    staff_id: str
    updated_at: datetime | None = None
    updated_by: str | None = None
