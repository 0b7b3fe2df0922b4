from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import DeclarativeBase

from gridcase_events.kit.runtime import ServiceSchema

schema = ServiceSchema.create("intake", Path(__file__).parent / "migrations")


class Base(DeclarativeBase):
    metadata = schema.metadata
