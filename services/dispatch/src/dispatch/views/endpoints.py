"""POST/GET/DELETE /v1/views: personal saved searches."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from dispatch.views import service
from dispatch.views.schemas import ViewCreate, ViewRead
from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.runtime import RuntimeDep, SessionDep

router = APIRouter(tags=["saved views"])


@router.post(
    "/v1/views",
    status_code=201,
    response_model=ViewRead,
    summary="Save a search under a name",
    responses={409: {"description": "the name is taken, or you have too many views"}},
)
async def create_view(
    body: ViewCreate, session: SessionDep, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ViewRead:
    return await service.create(
        session=session, principal=principal, request=body, now=runtime.clock.now()
    )


@router.get("/v1/views", response_model=list[ViewRead], summary="My saved searches")
async def my_views(session: SessionDep, principal: CurrentPrincipal) -> list[ViewRead]:
    return await service.mine(session=session, principal=principal)


@router.delete(
    "/v1/views/{view_id}",
    status_code=204,
    response_class=Response,
    summary="Delete one of my saved searches",
    responses={404: {"description": "no such view of yours"}},
)
async def delete_view(view_id: UUID, session: SessionDep, principal: CurrentPrincipal) -> Response:
    await service.delete(session=session, principal=principal, view_id=view_id)
    return Response(status_code=204)
