from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query

from gridcase_events.kit.auth import CurrentPrincipal, Principal, require_roles, scope_of
from gridcase_events.kit.errors import Forbidden, Invalid
from gridcase_events.kit.text import Storable
from notify.deliveries import repository
from notify.deliveries import resend as resending
from notify.deliveries.schemas import (
    BulkResendRead,
    BulkResendRequest,
    DeliveryRead,
    DeliveryStatus,
)
from notify.deps import RuntimeDep, SessionDep

router = APIRouter(tags=["deliveries"])
Ops = Annotated[
    Principal,
    Depends(require_roles("ops", "admin", "dispatcher", "district_center", "city_center")),
]
OpsOnly = Annotated[Principal, Depends(require_roles("ops", "admin"))]


def _wall(principal: Principal) -> str | None:
    """The district a list is filtered to (None: the city level, every district)."""
    mine = scope_of(principal)
    return None if mine.everything else mine.district


Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=2**63 - 1)]  # PostgreSQL's bigint


@router.get(
    "/v1/cases/{case_id}/deliveries",
    response_model=list[DeliveryRead],
    summary="Every notification about a case, with its outcome",
    responses={403: {"description": "a desk of another district"}},
)
async def case_deliveries(case_id: UUID, session: SessionDep, principal: Ops) -> list[DeliveryRead]:
    # notify does not know a case's grid or department, only its district (the tenant
    # of the events about it): the district's desks see its cases, the city level all.
    deliveries = await repository.of_case(session, case_id)
    mine = scope_of(principal)
    if not mine.everything and (
        mine.district is None or any(d.district_code != mine.district for d in deliveries)
    ):
        raise Forbidden("only the district's own desks see its notifications")
    return [DeliveryRead.model_validate(d) for d in deliveries]


@router.get(
    "/v1/deliveries",
    response_model=list[DeliveryRead],
    summary="Deliveries by status (e.g. the failed ones), newest first (ops)",
)
async def deliveries_by_status(
    session: SessionDep,
    principal: OpsOnly,
    status: DeliveryStatus = "failed",
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[DeliveryRead]:
    found = await repository.by_status(
        session, status, limit=limit, offset=offset, district=_wall(principal)
    )
    return [DeliveryRead.model_validate(d) for d in found]


# A staff id may hold "/" (gridcase_events/codes.py): the path converter takes it whole.
@router.get(
    "/v1/recipients/{recipient_id:path}/deliveries",
    response_model=list[DeliveryRead],
    summary="Receipts of one recipient (staff:<id>, resident:<case>, hotline:<ticket>, …)",
    responses={403: {"description": "staff see only their own (staff:<your id>)"}},
)
async def recipient_deliveries(
    recipient_id: Annotated[str, Path(max_length=64), Storable],
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[DeliveryRead]:
    if principal.role not in ("ops", "admin") and recipient_id != f"staff:{principal.sub}":
        raise Forbidden("you may see only your own receipts")
    found = await repository.of_recipient(
        session, recipient_id, limit=limit, offset=offset, district=_wall(principal)
    )
    return [DeliveryRead.model_validate(d) for d in found]


@router.post(
    "/v1/deliveries:resend",
    response_model=BulkResendRead,
    summary="Send the failed deliveries that match a filter again (admin, ops)",
    responses={422: {"description": "a bad filter (e.g. failed_until before failed_from)"}},
)
async def resend_matching(
    body: BulkResendRequest, session: SessionDep, runtime: RuntimeDep, principal: OpsOnly
) -> BulkResendRead:
    if body.failed_from and body.failed_until and body.failed_until <= body.failed_from:
        raise Invalid("failed_until must be after failed_from")
    done = await resending.resend_matching(
        session=session,
        clock=runtime.clock,
        by=principal.sub,
        channel=body.channel,
        failed_from=body.failed_from,
        failed_until=body.failed_until,
        limit=body.limit,
        district=_wall(principal),
    )
    return BulkResendRead(matched=done.matched, resent=done.resent, skipped=done.skipped)


@router.post(
    "/v1/deliveries/{delivery_id}/resend",
    response_model=DeliveryRead,
    status_code=202,
    summary="Send a failed delivery again, under a new idempotency key (admin, ops)",
    responses={
        404: {},
        409: {"description": "the delivery has not failed, or a resend of it has not failed"},
    },
)
async def resend(
    delivery_id: UUID, session: SessionDep, runtime: RuntimeDep, principal: OpsOnly
) -> DeliveryRead:
    new = await resending.resend(
        session=session,
        clock=runtime.clock,
        delivery_id=delivery_id,
        by=principal.sub,
        district=_wall(principal),
    )
    return DeliveryRead.model_validate(new)
