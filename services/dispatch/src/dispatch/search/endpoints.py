"""GET /v1/cases: the operators' case search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from dispatch.search import service
from dispatch.search.schemas import CasePage, CaseQuery
from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.runtime import RuntimeDep, SessionDep

router = APIRouter(tags=["case search"])


@router.get(
    "/v1/cases",
    response_model=CasePage,
    summary="Find cases: filters, sort, keyset pages; only what you may see",
    responses={
        401: {"description": "no or bad token"},
        422: {"description": "bad filter or cursor"},
    },
)
async def search_cases(
    query: Annotated[CaseQuery, Query()],
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> CasePage:
    return await service.search(
        session=session, principal=principal, query=query, now=runtime.clock.now()
    )
