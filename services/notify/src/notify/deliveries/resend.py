"""Resending failed deliveries (ops): one, or all that match a filter; each once at a
time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.envelope import new_id
from gridcase_events.kit.clock import Clock
from gridcase_events.kit.errors import Conflict, NotFound
from notify.deliveries import repository
from notify.deliveries.models import Delivery

log = structlog.get_logger(__name__)


class NotFailed(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"only a failed delivery can be resent; this one is {status}")
        self.status = status


class AlreadyResent(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"this delivery has already been resent; that resend is {status}")
        self.status = status


async def resend(
    *,
    session: AsyncSession,
    clock: Clock,
    delivery_id: UUID,
    by: str,
    district: str | None = None,
) -> Delivery:
    """A new attempt cycle for a failed delivery, under a key derived from the original
    (``<key>:resend:<n>``) so that a provider does not take it for the original.

    Once only: while a resend of it is pending, being sent or delivered, another is
    refused (:class:`AlreadyResent`); only after that one failed too may it be resent
    again. Concurrent requests are serialised by a lock on the original's key.
    With `district` (the caller's wall), another district's delivery is not found."""
    found = await repository.get(session, delivery_id)
    if found is None or (district is not None and found.district_code != district):
        raise NotFound("no such delivery")
    base = found.idempotency_key.split(":resend:")[0]
    await repository.lock_resends(session, base)
    original = await repository.get_for_update(session, delivery_id)
    if original is None:
        raise NotFound("no such delivery")
    if original.status != "failed":
        raise NotFailed(original.status)
    earlier = await repository.resends(session, base)
    for other in earlier:
        if other.status != "failed":
            raise AlreadyResent(other.status)
    n = len(earlier) + 1
    now = clock.now()
    new = new_id()
    inserted = await repository.plan(
        session,
        {
            "id": new,
            "idempotency_key": f"{base}:resend:{n}",
            "trigger_event_id": original.trigger_event_id,
            "trigger_event_type": original.trigger_event_type,
            "case_id": original.case_id,
            "district_code": original.district_code,
            "correlation_id": original.correlation_id,
            "channel": original.channel,
            "recipient_id": original.recipient_id,
            "recipient_masked": original.recipient_masked,
            "template": original.template,
            "params": original.params,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "planned_at": now,
            "updated_at": now,
            "resent_from": original.id,
            "resent_by": by,
        },
    )
    if not inserted:  # the key is taken: someone else resent it meanwhile
        raise AlreadyResent("pending")
    log.info("delivery resent", delivery_id=str(original.id), resend_id=str(new), resent_by=by)
    resent = await repository.get(session, new)
    assert resent is not None  # inserted in this transaction
    return resent


@dataclass(frozen=True)
class BulkResent:
    matched: int  # failed deliveries that matched the filter
    resent: int  # new attempt cycles planned (one per original delivery at most)
    skipped: int  # already resent, and that resend has not failed


async def resend_matching(
    *,
    session: AsyncSession,
    clock: Clock,
    by: str,
    channel: str | None,
    failed_from: datetime | None,
    failed_until: datetime | None,
    limit: int,
    district: str | None = None,
) -> BulkResent:
    """Resends the failed deliveries that match, with the rules of :func:`resend`: one
    new cycle per original delivery (an original and its failed resends match as one),
    none where a resend of it is pending, being sent or delivered."""
    found = await repository.failed_matching(
        session,
        channel=channel,
        failed_from=failed_from,
        failed_until=failed_until,
        limit=limit,
        district=district,
    )
    bases: dict[str, UUID] = {}
    for delivery in found:
        bases.setdefault(delivery.idempotency_key.split(":resend:")[0], delivery.id)
    resent = 0
    for delivery_id in bases.values():
        try:
            await resend(
                session=session, clock=clock, delivery_id=delivery_id, by=by, district=district
            )
        except (NotFailed, AlreadyResent):
            continue  # resent meanwhile (its lock was taken before any write)
        resent += 1
    log.info("failed deliveries resent in bulk", matched=len(found), resent=resent, resent_by=by)
    return BulkResent(matched=len(found), resent=resent, skipped=len(bases) - resent)
