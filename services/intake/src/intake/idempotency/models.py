from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base


class IdempotencyKey(Base):
    """The outcome of the first request made with an ``Idempotency-Key``, per caller.

    The row is written in the same transaction as the request's effect, so a key is
    either absent (the effect did not happen) or complete with its response.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index(None, "expires_at"),)

    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    # JSON, not JSONB: a replay returns the body as it was, keys in their order.
    response_body: Mapped[Any | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
