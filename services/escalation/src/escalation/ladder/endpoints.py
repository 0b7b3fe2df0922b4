"""The escalation ladder, rung by rung: read by staff, replaced by admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from escalation.deps import RuntimeDep
from escalation.ladder import service
from escalation.ladder.schemas import LadderLevelIn, LadderLevelRead
from gridcase_events.kit.auth import CurrentPrincipal, Principal, require_roles
from gridcase_events.kit.runtime import SessionDep

router = APIRouter(tags=["clocks"])
Admin = Annotated[Principal, Depends(require_roles("admin"))]


@router.get(
    "/v1/ladder",
    response_model=list[LadderLevelRead],
    summary="The escalation ladder, rung by rung",
)
async def get_ladder(session: SessionDep, principal: CurrentPrincipal) -> list[LadderLevelRead]:
    rungs = await service.ladder(session)
    return [LadderLevelRead.model_validate(r, from_attributes=True) for r in rungs]


@router.put(
    "/v1/ladder",
    response_model=list[LadderLevelRead],
    summary="Replace the ladder of a unit kind (admin)",
    responses={
        409: {"description": "a unit's ladder replaced by someone else since its version"},
        422: {"description": "a unit's levels are not 1, 2, 3 … without gaps"},
    },
)
async def put_ladder(
    body: list[LadderLevelIn], session: SessionDep, runtime: RuntimeDep, principal: Admin
) -> list[LadderLevelRead]:
    rungs = await service.replace_units(session, body, by=principal.sub, at=runtime.clock.now())
    return [LadderLevelRead.model_validate(r, from_attributes=True) for r in rungs]
