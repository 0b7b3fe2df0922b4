"""The event envelope (docs/architecture.md, "How an event travels") and its JSON encoding."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import uuid6
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gridcase_events import registry


def new_id() -> UUID:
    """A time-ordered UUIDv7, used for event ids and new entity ids."""
    value: UUID = uuid6.uuid7()
    return UUID(bytes=value.bytes)


class Envelope(BaseModel):
    """One event as it travels over Kafka: metadata plus the typed payload as `data`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: UUID
    type: str = Field(min_length=1, max_length=100)
    version: int = Field(ge=1)
    source: str = Field(min_length=1, max_length=50)
    subject: str = Field(
        min_length=1, max_length=200, description="case id or entity id; the Kafka key"
    )
    time: AwareDatetime
    correlation_id: str = Field(min_length=1, max_length=100)
    causation_id: str | None = Field(default=None, max_length=100)
    tenant: str = Field(min_length=1, max_length=20, description="district code")
    data: dict[str, Any]

    def payload(self) -> BaseModel:
        """The typed payload; raises :class:`registry.UnknownEventType` or a ValidationError."""
        return registry.parse(self.type, self.version, self.data)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Envelope:
        return cls.model_validate_json(raw)


def build(
    payload: BaseModel,
    *,
    subject: str,
    source: str,
    tenant: str,
    correlation_id: str,
    time: datetime,
    causation_id: str | None = None,
) -> Envelope:
    """Wraps a registered payload into an envelope with a fresh event id."""
    spec = registry.spec_of(type(payload))
    return Envelope(
        id=new_id(),
        type=spec.type,
        version=spec.version,
        source=source,
        subject=subject,
        time=time,
        correlation_id=correlation_id,
        causation_id=causation_id,
        tenant=tenant,
        data=json.loads(payload.model_dump_json()),
    )
