from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from gridcase_events.kit.errors import NotFound
from intake.cases import service
from intake.cases.schemas import CaseStatusRead
from intake.deps import SessionDep

router = APIRouter(tags=["public status"])


@router.get(
    "/v1/public/cases/{tracking_no}",
    response_model=CaseStatusRead,
    summary="A case's public status by tracking number (for residents; no personal data)",
    responses={404: {"description": "no case with this tracking number"}},
)
async def public_status(
    session: SessionDep,
    tracking_no: Annotated[str, Path(pattern=r"^GC-\d{8}-[0-9A-Z]{6}$")],
) -> CaseStatusRead:
    status = await service.public_status(session=session, tracking_no=tracking_no)
    if status is None:
        raise NotFound("no case with this tracking number")
    return status
