"""GET /v1/directory/areas.geojson (the case points are GET /v1/cases.geojson, beside
the search)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from dispatch.maps import service
from gridcase_events.areas import AreaLevel
from gridcase_events.kit.auth import CurrentPrincipal, scope_of
from gridcase_events.kit.runtime import SessionDep

router = APIRouter(tags=["maps"])


@router.get(
    "/v1/directory/areas.geojson",
    summary="Areas as polygons (filter by level and parent)",
    responses={200: {"content": {"application/geo+json": {}}}},
)
async def areas_geojson(
    session: SessionDep,
    principal: CurrentPrincipal,
    level: AreaLevel | None = None,
    parent: Annotated[str | None, Query(pattern=r"^[0-9A-Za-z_.-]{1,32}$")] = None,
) -> JSONResponse:
    """The polygons of the caller's district (every district's at the city level)."""
    mine = scope_of(principal)
    wall = None if mine.everything else mine.district
    collection = await service.areas(
        session=session, level=level, parent_code=parent, district=wall
    )
    return JSONResponse(collection, media_type="application/geo+json")
