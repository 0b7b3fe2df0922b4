"""The channel protocol every outbound integration implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


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
    name: str

    async def send(self, message: Message) -> SendResult: ...

    async def close(self) -> None: ...
