"""GET/PUT /v1/phrases: canned phrases (常用语)."""

from __future__ import annotations

from fastapi import APIRouter

from dispatch.phrases import service
from dispatch.phrases.schemas import PhraseAction, PhrasesList, PhrasesPut, PhrasesRead
from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.runtime import RuntimeDep, SessionDep

router = APIRouter(tags=["phrases"])


@router.get(
    "/v1/phrases",
    response_model=PhrasesList,
    summary="The phrases of my unit and the areas above it",
)
async def read_phrases(
    session: SessionDep, principal: CurrentPrincipal, action: PhraseAction | None = None
) -> PhrasesList:
    return await service.read(session=session, principal=principal, action=action)


@router.put(
    "/v1/phrases",
    response_model=PhrasesRead,
    summary="Set my unit's phrases for one action",
    responses={403: {"description": "you do not keep a unit's phrases"}},
)
async def put_phrases(
    body: PhrasesPut, session: SessionDep, runtime: RuntimeDep, principal: CurrentPrincipal
) -> PhrasesRead:
    return await service.put(
        session=session, principal=principal, request=body, now=runtime.clock.now()
    )
