"""The escalation ladder, rung by rung: read by staff, replaced by admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from escalation.ladder import service
from escalation.ladder.schemas import LadderLevelIn
from gridcase_events.kit.auth import CurrentPrincipal, Principal, require_roles
from gridcase_events.kit.runtime import SessionDep

router = APIRouter(tags=["clocks"])
Admin = Annotated[Principal, Depends(require_roles("admin"))]


@router.get(
    "/v1/ladder", response_model=list[LadderLevelIn], summary="The escalation ladder, rung by rung"
)
async def get_ladder(session: SessionDep, principal: CurrentPrincipal) -> list[LadderLevelIn]:
    rungs = await service.ladder(session)
    return [LadderLevelIn.model_validate(r, from_attributes=True) for r in rungs]


@router.put(
    "/v1/ladder",
    response_model=list[LadderLevelIn],
    summary="Replace the ladder of a unit kind (admin)",
)
async def put_ladder(
    body: list[LadderLevelIn], session: SessionDep, principal: Admin
) -> list[LadderLevelIn]:
    rungs = await service.replace_units(session, body)
    return [LadderLevelIn.model_validate(r, from_attributes=True) for r in rungs]
