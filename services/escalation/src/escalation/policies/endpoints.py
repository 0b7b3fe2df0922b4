"""Time limits by category, priority and clock: read by staff, changed by admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from escalation.deps import RuntimeDep
from escalation.policies import service
from escalation.policies.schemas import PolicyIn, PolicyRead
from escalation.scope import District, visible_district, walled_district
from gridcase_events.kit.auth import CurrentPrincipal, Principal, require_roles
from gridcase_events.kit.runtime import SessionDep

router = APIRouter(tags=["clocks"])
Admin = Annotated[Principal, Depends(require_roles("admin"))]


@router.get(
    "/v1/policies",
    response_model=list[PolicyRead],
    summary="Time limits by category, priority and clock",
)
async def list_policies(
    session: SessionDep, principal: CurrentPrincipal, district: District = None
) -> list[PolicyRead]:
    rows = await service.all_policies(session, district=visible_district(principal, district))
    return [PolicyRead.model_validate(r, from_attributes=True) for r in rows]


@router.put(
    "/v1/policies",
    response_model=list[PolicyRead],
    summary="Add or change time limits (admin)",
    responses={
        403: {"description": "another district's rows, or the city's default"},
        409: {"description": "a row changed by someone else since its expected_updated_at"},
    },
)
async def put_policies(
    body: list[PolicyIn], session: SessionDep, runtime: RuntimeDep, principal: Admin
) -> list[PolicyRead]:
    rows = await service.change(
        session,
        body,
        walled=walled_district(principal),
        by=principal.sub,
        at=runtime.clock.now(),
    )
    return [PolicyRead.model_validate(r, from_attributes=True) for r in rows]
