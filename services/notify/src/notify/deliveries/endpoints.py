from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from gridcase_events.kit.auth import Principal, require_roles
from notify.deliveries import repository
from notify.deliveries.schemas import DeliveryRead
from notify.deps import RuntimeDep

router = APIRouter(tags=["deliveries"])
Ops = Annotated[Principal, Depends(require_roles("ops", "admin", "dispatcher", "district_center"))]


@router.get(
    "/v1/cases/{case_id}/deliveries",
    response_model=list[DeliveryRead],
    summary="Every notification about a case, with its outcome",
)
async def case_deliveries(case_id: UUID, runtime: RuntimeDep, principal: Ops) -> list[DeliveryRead]:
    async with runtime.sessionmaker() as session:
        deliveries = await repository.of_case(session, case_id)
    return [DeliveryRead.model_validate(d) for d in deliveries]
