"""Open311 GeoReport v2 documents, field for field as the specification lists them
(the order of the fields is the order of the XML elements)."""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from intake.district import within_district

Format = Literal["json", "xml"]
FORMATS: tuple[str, ...] = ("json", "xml")


class ServiceRead(BaseModel):
    """One entry of GET services."""

    service_code: str
    service_name: str
    description: str | None
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str | None
    group: str | None


class AttributeValueRead(BaseModel):
    key: str
    name: str


class AttributeRead(BaseModel):
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValueRead] = Field(default_factory=list)


class ServiceDefinitionRead(BaseModel):
    service_code: str
    attributes: list[AttributeRead]


_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# Control characters XML 1.0 cannot carry, and lone surrogates (not Unicode text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class RequestCreate(BaseModel):
    """The form fields of POST requests (``api_key`` and ``attribute[...]`` apart)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, validate_by_name=True)

    service_code: str = Field(min_length=1, max_length=100)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, alias="long", ge=-180, le=180, allow_inf_nan=False)
    address_string: str | None = Field(default=None, max_length=300)
    address_id: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=254, pattern=_EMAIL)
    device_id: str | None = Field(default=None, max_length=100)
    account_id: str | None = Field(default=None, max_length=100)
    first_name: str | None = Field(default=None, max_length=50)
    last_name: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 -]{4,19}$")
    description: str | None = Field(default=None, max_length=4000)
    media_url: HttpUrl | None = Field(default=None)

    _inside_the_district = field_validator("lat", "lon")(within_district)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        # Line breaks are fine in a description; other control characters cannot be
        # carried by XML 1.0 answers.
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValueError("must not contain control characters")
        return value

    @model_validator(mode="after")
    def _location(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and long must be sent together")
        if self.lat is None and not self.address_string and not self.address_id:
            raise ValueError("a location is required: lat and long, address_string or address_id")
        return self


class RequestCreated(BaseModel):
    """One entry of POST requests' answer (realtime: the id, never a token)."""

    service_request_id: str
    service_notice: str | None
    account_id: str | None


class RequestRead(BaseModel):
    """One service request as GET requests shows it: no personal data."""

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str | None
    service_code: str | None
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class ErrorRead(BaseModel):
    code: int
    description: str


class EndpointRead(BaseModel):
    specification: str
    url: str
    changeset: str
    type: Literal["production", "test"]
    formats: list[str]


class DiscoveryRead(BaseModel):
    """The Open311 service discovery document (wiki.open311.org/Service_Discovery)."""

    changeset: str
    contact: str
    key_service: str
    endpoints: list[EndpointRead]
