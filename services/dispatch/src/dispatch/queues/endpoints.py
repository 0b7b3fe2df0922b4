"""GET /v1/queues: the caller's role's queues with their counts."""

from __future__ import annotations

from fastapi import APIRouter

from dispatch.queues import service
from dispatch.queues.schemas import QueuesRead
from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.runtime import RuntimeDep, SessionDep

router = APIRouter(tags=["queues"])


@router.get("/v1/queues", response_model=QueuesRead, summary="My role's queues, with counts")
async def my_queues(
    session: SessionDep, runtime: RuntimeDep, principal: CurrentPrincipal
) -> QueuesRead:
    return await service.queues(session=session, principal=principal, now=runtime.clock.now())
