"""The channel protocol every outbound integration implements."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit.pii import mask_phone

#: A mainland mobile number, also with a +86 prefix or separators (``138 0013 8000``).
_PHONE = re.compile(r"(?<!\d)(?:(?:\+|00)?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")


@dataclass(frozen=True)
class Message:
    idempotency_key: str
    address: str = field(repr=False)  # a phone number, e-mail address or URL: never logged
    template_id: str
    params: dict[str, Any]
    text: str


@dataclass(frozen=True)
class SendResult:
    provider_ref: str | None = None


class RetryableSendError(Exception):
    """The provider may accept the message later (5xx, 429, timeouts)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSendError(Exception):
    """The provider refused the message for good (4xx other than 429)."""


class Channel(Protocol):
    """An outbound channel: it calls a provider, outside any transaction of notify's."""

    name: str

    async def send(self, message: Message) -> SendResult: ...

    async def close(self) -> None: ...


class TransactionalChannel(Protocol):
    """A channel that delivers by writing to notify's own database (the in-app inbox):
    the worker calls :meth:`store` in the transaction that records the delivery, so the
    message and its record commit together or not at all."""

    name: str

    async def store(self, session: AsyncSession, message: Message) -> str | None:
        """Stores the message; returns the provider reference to record."""
        ...

    async def store_many(
        self, session: AsyncSession, messages: Sequence[Message]
    ) -> list[str | None]:
        """Stores the messages together; returns their references, in order."""
        ...


def redact(text: str, address: str | None = None) -> str:
    """Provider error text without the recipient's address or any mobile number in it:
    gateways and robots echo what they were sent, and the text goes on to the delivery
    record, ``notification.failed`` and the API."""
    if address:
        text = text.replace(address, mask_phone(address) if _PHONE.fullmatch(address) else "***")
    return _PHONE.sub(lambda m: mask_phone("".join(m.groups())), text)
