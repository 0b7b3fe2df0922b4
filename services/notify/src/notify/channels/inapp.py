"""In-app: "sending" stores an item in the recipient's inbox, which their live stream
(``GET /v1/inbox/stream``) shows. The worker stores it with :meth:`InAppChannel.store_many`
in the same transaction that records the delivery as delivered; the delivery's
idempotency key is unique among the items, so nothing can make a second item."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit.clock import Clock
from notify.channels.base import Message
from notify.inbox import repository


class InAppChannel:
    name = "inapp"

    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    async def store(self, session: AsyncSession, message: Message) -> str | None:
        """Adds the inbox item in the caller's transaction; returns its reference."""
        [ref] = await self.store_many(session, [message])
        return ref

    async def store_many(
        self, session: AsyncSession, messages: Sequence[Message]
    ) -> list[str | None]:
        """Adds the inbox items in one statement in the caller's transaction; returns their
        references, in order (None for one whose item was already there)."""
        stored = await repository.add_many(session, [self._item(m) for m in messages])
        return [
            f"inbox:{stored[m.idempotency_key]}" if m.idempotency_key in stored else None
            for m in messages
        ]

    def _item(self, message: Message) -> dict[str, Any]:
        title, _, body = message.text.partition("\n")
        return {
            "idempotency_key": message.idempotency_key,
            "staff_id": message.address,
            "case_id": message.params.get("case_id"),
            "event_type": message.params.get("event_type", message.template_id),
            "title": title.strip()[:200],
            "text": body.strip() or title.strip(),
            "created_at": self._clock.now(),
        }
