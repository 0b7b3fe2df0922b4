from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path

from intake.cases import service
from intake.cases.schemas import CaseStatusRead
from intake.deps import RuntimeDep

router = APIRouter(tags=["public status"])


@router.get(
    "/v1/public/cases/{tracking_no}",
    response_model=CaseStatusRead,
    summary="A case's public status by tracking number (for residents; no personal data)",
    responses={404: {"description": "no case with this tracking number"}},
)
async def public_status(
    runtime: RuntimeDep,
    tracking_no: Annotated[str, Path(pattern=r"^GC-\d{8}-[0-9A-Z]{6}$")],
) -> CaseStatusRead:
    async with runtime.sessionmaker() as session:
        status = await service.public_status(session=session, tracking_no=tracking_no)
    if status is None:
        raise HTTPException(status_code=404, detail="no case with this tracking number")
    return status
