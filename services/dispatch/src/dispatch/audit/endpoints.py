"""GET /v1/staff/{staff_id}/actions: who did what, per person (审计)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from dispatch.audit import service
from dispatch.audit.schemas import ActionPage
from gridcase_events.kit.auth import Principal, require_roles
from gridcase_events.kit.runtime import SessionDep

router = APIRouter(tags=["audit"])

# Those who oversee others' work; what each sees is walled by their scope.
Overseer = Annotated[
    Principal,
    Depends(
        require_roles(
            "admin",
            "ops",
            "city_center",
            "district_center",
            "dispatcher",
            "street_officer",
            "station_master",
        )
    ),
]
StaffId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f/]+$")]


@router.get(
    "/v1/staff/{staff_id}/actions",
    response_model=ActionPage,
    summary="What one person did across cases (action, case, time, reason), newest first",
    responses={
        403: {"description": "your role does not oversee others' work"},
        422: {"description": "bad staff id, cursor or limit"},
    },
)
async def staff_actions(
    staff_id: StaffId,
    session: SessionDep,
    principal: Overseer,
    cursor: Annotated[
        int | None,
        Query(ge=1, le=2**63 - 1, description="next_cursor of the page before"),  # bigint
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ActionPage:
    """Only the actions on cases inside the caller's scope (district, area, department),
    as the case search and the case page show them."""
    return await service.actions_of(
        session=session, principal=principal, staff_id=staff_id, cursor=cursor, limit=limit
    )
