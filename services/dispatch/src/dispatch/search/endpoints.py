"""GET /v1/cases: the operators' case search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, StreamingResponse

from dispatch.search import service
from dispatch.search.schemas import CaseCardPage, CaseExport, CaseMapQuery, CasePage, CaseQuery
from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.runtime import RuntimeDep, SessionDep

router = APIRouter(tags=["case search"])


@router.get(
    "/v1/cases",
    response_model=CasePage | CaseCardPage,
    summary="Find cases: filters, sort, keyset pages; only what you may see",
    responses={
        200: {"description": "a `CasePage`, or a `CaseCardPage` with `view=card`"},
        401: {"description": "no or bad token"},
        422: {"description": "bad filter, cursor or view"},
    },
)
async def search_cases(
    query: Annotated[CaseQuery, Query()],
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> CasePage | CaseCardPage:
    return await service.search(
        session=session, principal=principal, query=query, now=runtime.clock.now()
    )


@router.get(
    "/v1/cases.csv",
    response_class=StreamingResponse,
    summary="The search as CSV (names, not codes; no phone numbers)",
    responses={200: {"content": {"text/csv": {}}}, 422: {"description": "bad filter"}},
)
async def export_cases(
    query: Annotated[CaseExport, Query()], runtime: RuntimeDep, principal: CurrentPrincipal
) -> StreamingResponse:
    now = runtime.clock.now()
    stamp = now.strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        service.csv_export(
            sessionmaker=runtime.sessionmaker, principal=principal, filters=query, now=now
        ),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cases-{stamp}.csv"'},
    )


@router.get(
    "/v1/cases.geojson",
    summary="The search as map points (at most 5,000; `truncated` when more matched)",
    responses={200: {"content": {"application/geo+json": {}}}, 422: {"description": "bad filter"}},
)
async def map_cases(
    query: Annotated[CaseMapQuery, Query()],
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> JSONResponse:
    collection = await service.map_points(
        session=session, principal=principal, query=query, now=runtime.clock.now()
    )
    return JSONResponse(collection, media_type="application/geo+json")
