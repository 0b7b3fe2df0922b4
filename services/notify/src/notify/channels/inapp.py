"""In-app: "sending" stores an item in the recipient's inbox, which their live stream
(``GET /v1/inbox/stream``) shows. The worker stores it with :meth:`InAppChannel.store`
in the same transaction that records the delivery as delivered; the delivery's
idempotency key is unique among the items, so nothing can make a second item."""

from __future__ import annotations

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
        title, _, body = message.text.partition("\n")
        item_id = await repository.add(
            session,
            {
                "idempotency_key": message.idempotency_key,
                "staff_id": message.address,
                "case_id": message.params.get("case_id"),
                "event_type": message.params.get("event_type", message.template_id),
                "title": title.strip()[:200],
                "text": body.strip() or title.strip(),
                "created_at": self._clock.now(),
            },
        )
        return f"inbox:{item_id}" if item_id else None
