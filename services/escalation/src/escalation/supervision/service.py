"""Supervision orders (督办): a yellow card when a resolution clock breaches, a red card
when the case is still open some working days later, and orders issued by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks import service as clock_service
from escalation.clocks.models import CaseClock
from escalation.deps import EscalationRuntime
from escalation.supervision import repository
from escalation.supervision.models import SupervisionOrder
from gridcase_events import payloads
from gridcase_events.envelope import new_id
from gridcase_events.kit.auth import Principal, can_see
from gridcase_events.kit.errors import Conflict, Forbidden, NotFound

ANSWERERS = frozenset({"grid_member", "grid_leader", "department_operator"})
"""Who speaks for the unit an order is addressed to: its grid's staff, its department's
operators (within their scope)."""


async def issue(
    *,
    session: AsyncSession,
    runtime: EscalationRuntime,
    clock: CaseClock,
    card: str,
    source: str,
    reason: str,
    issued_by: str,
    at: datetime,
    correlation_id: str,
) -> SupervisionOrder:
    """Records the order against the unit responsible for the clock's case and
    publishes `supervision.issued` through the outbox in the caller's transaction."""
    order = await repository.add(
        session,
        SupervisionOrder(
            id=new_id(),
            case_id=clock.case_id,
            tracking_no=clock.tracking_no,
            card=card,
            source=source,
            reason=reason,
            issued_by=issued_by,
            grid_code=clock.grid_code,
            department_code=clock.department_code,
            district_code=clock.district_code,
            issued_at=at,
        ),
    )
    await runtime.emit(
        session,
        payloads.SupervisionIssued(
            order_id=order.id,
            case_id=order.case_id,
            tracking_no=order.tracking_no,
            card=card,
            source=source,
            reason=reason,
            issued_by=issued_by,
            grid_code=order.grid_code,
            department_code=order.department_code,
            issued_at=at,
        ),
        subject=str(order.case_id),
        correlation_id=correlation_id,
        tenant=order.district_code,
    )
    return order


async def issue_by_hand(
    *,
    session: AsyncSession,
    runtime: EscalationRuntime,
    principal: Principal,
    case_id: UUID,
    reason: str,
    correlation_id: str,
) -> SupervisionOrder:
    """A supervisor's order against the case's responsible unit: the case must have
    clocks here (404) and lie in the supervisor's scope (403)."""
    clocks = await clock_service.of_case(session, case_id)
    if not clocks:
        raise NotFound("no such case here")
    latest = clocks[-1]
    clock_service.ensure_visible(principal, latest)
    return await issue(
        session=session,
        runtime=runtime,
        clock=latest,
        card="none",
        source="manual",
        reason=reason,
        issued_by=principal.sub,
        at=runtime.clock.now(),
        correlation_id=correlation_id,
    )


async def answer(
    *,
    session: AsyncSession,
    principal: Principal,
    order_id: UUID,
    text: str,
    at: datetime,
) -> SupervisionOrder:
    """The addressed unit answers an order (督办回复), once: by its grid's staff or its
    department's operators (403 for anyone else, 404 for an order they may not see),
    409 when it has been answered already (the answer stands)."""
    order = await repository.locked(session, order_id)
    if order is None or not can_see(
        principal,
        grid_code=order.grid_code,
        department_code=order.department_code,
        district_code=order.district_code,
    ):
        raise NotFound("no such supervision order")
    if principal.role not in ANSWERERS:
        raise Forbidden("only the unit the order is addressed to answers it")
    if order.answered_at is not None:
        raise Conflict(
            f"{order.answered_by} answered this order at {order.answered_at.isoformat()}",
            extra={
                "answered_by": order.answered_by,
                "answered_at": order.answered_at.isoformat(),
            },
        )
    order.answer = text
    order.answered_by = principal.sub
    order.answered_at = at
    await session.flush()
    return order


async def search(
    session: AsyncSession,
    *,
    area_prefix: str | None,
    department_code: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    case_id: UUID | None = None,
    district: str | None = None,
) -> Sequence[SupervisionOrder]:
    return await repository.search(
        session,
        area_prefix=area_prefix,
        department_code=department_code,
        district=district,
        since=since,
        until=until,
        limit=limit,
        case_id=case_id,
    )
