from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path

from intake.cases import repository
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
        case = await repository.get_by_tracking_no(session, tracking_no)
        primary = (
            await repository.get(session, case.duplicate_of)
            if case is not None and case.duplicate_of is not None
            else None
        )
    if case is None:
        raise HTTPException(status_code=404, detail="no case with this tracking number")
    if primary is None:
        return CaseStatusRead.model_validate(case)
    # A duplicate follows the progress of the case it was merged into.
    return CaseStatusRead(
        tracking_no=case.tracking_no,
        status=primary.status,
        channel=case.channel,
        reported_at=case.reported_at,
        status_changed_at=max(primary.status_changed_at, case.status_changed_at),
        merged_into=primary.tracking_no,
    )
