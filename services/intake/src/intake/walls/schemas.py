from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from gridcase_events.kit import text
from gridcase_events.kit.pii import normalize_phone
from intake.district import within_district

_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class Point(BaseModel):
    """A WGS84 point; in the district when validated with the context ``{"district": ...}``."""

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)

    _inside_the_district = field_validator("lat", "lon")(within_district)


class WallCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    wall_id: str = Field(
        min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", examples=["W-001"]
    )
    community_code: str = Field(pattern=r"^\d{12}$", examples=["510302001002"])
    name: str = Field(min_length=1, max_length=100, examples=["桂花巷心愿墙"])
    location: Point | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        return text.storable(value)


class WallUpdate(BaseModel):
    """The fields of a wall that may change (its id and community stay fixed): only
    those sent change; ``location: null`` removes the wall's location; ``closed`` closes
    (停用) or reopens (启用) it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=100, examples=["桂花巷心愿墙"])
    location: Point | None = None
    closed: bool | None = Field(
        default=None,
        description="true: the wall takes no wishes (taken down or paused); false: open again",
    )
    expected_updated_at: AwareDatetime | None = Field(
        default=None,
        description="the updated_at of the wall as the editor read it: when someone changed "
        "it since, nothing is saved (409, naming who and when); absent: saved regardless",
    )

    @field_validator("name", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        return text.storable(value)

    @model_validator(mode="after")
    def _something_to_change(self) -> WallUpdate:
        if not self.model_fields_set - {"expected_updated_at"}:
            raise ValueError("nothing to change: send name, location or closed")
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be removed")
        if "closed" in self.model_fields_set and self.closed is None:
            raise ValueError("closed is true or false")
        return self


class WallRead(BaseModel):
    wall_id: str
    community_code: str
    name: str
    location: Point | None
    submission_url: str = Field(description="what the QR code holds")
    qr_png_url: str
    qr_svg_url: str
    closed: bool = Field(description="停用: the wall takes no wishes (transcriptions still)")
    closed_at: datetime | None = None
    closed_by: str | None = None
    updated_at: datetime = Field(description="send it back as expected_updated_at")
    updated_by: str


class PublicWallRead(BaseModel):
    """What a resident who scanned the QR code sees."""

    wall_id: str
    name: str
    submit_url: str = Field(description="POST a wish here (JSON)")
    closed: bool = Field(default=False, description="closed walls take no wishes (409)")


class WishIn(BaseModel):
    """A resident's wish, submitted at a wall or transcribed from a note on it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    content: str = Field(min_length=1, max_length=4000)
    phone: str | None = Field(
        default=None,
        description="a mainland mobile number; stored encrypted, shown masked",
        examples=["13812345678"],
    )
    category_hint: str | None = Field(default=None, max_length=100)
    point: Point | None = Field(default=None, description="defaults to the wall's location")
    attachments: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="URLs returned by POST /v1/public/walls/{wall_id}/attachments",
    )

    @field_validator("content", "category_hint", "attachments", "phone", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        return text.storable(value)

    @field_validator("phone")
    @classmethod
    def _mainland_mobile(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        digits = normalize_phone(value)
        if not _MAINLAND_MOBILE.match(digits) or re.search(r"[^\d\s+-]", value):
            raise ValueError("not a mainland mobile number (11 digits starting with 13-19)")
        return digits


class WishCreated(BaseModel):
    """For the resident: the key to the public status page, nothing else."""

    tracking_no: str


class TranscriptionIn(BaseModel):
    """Notes taken off a wall by a grid member; each is checked on its own."""

    notes: list[dict[str, Any]] = Field(min_length=1, max_length=200)


class NoteResult(BaseModel):
    index: int
    status: str = Field(description="created or invalid")
    case_id: str | None = None
    tracking_no: str | None = None
    errors: list[dict[str, Any]] | None = None


class TranscriptionResult(BaseModel):
    created: int
    invalid: int
    results: list[NoteResult]
