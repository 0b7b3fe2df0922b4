"""Staff preferences: channels, e-mail address, quiet hours (mine; admins: anyone's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit.auth import CurrentPrincipal, Principal, require_roles
from gridcase_events.kit.text import Storable
from gridcase_events.kit.versions import ensure_unchanged
from notify.deps import NotifyRuntime, RuntimeDep, SessionDep
from notify.preferences import repository
from notify.preferences.schemas import PreferenceRead, PreferenceUpdate

router = APIRouter(tags=["preferences"])
STALE: dict[int | str, dict[str, str]] = {
    409: {"description": "saved by someone else since expected_updated_at (who, when)"}
}
Admin = Annotated[Principal, Depends(require_roles("admin"))]
# A staff id may hold "/" (gridcase_events/codes.py): the path converter takes it whole.
StaffId = Annotated[str, Path(min_length=1, max_length=64), Storable]


async def _read(session: AsyncSession, staff_id: str) -> PreferenceRead:
    found = await repository.get(session, staff_id)
    if found is None:
        return PreferenceRead(staff_id=staff_id)
    return PreferenceRead.model_validate(found)


async def _write(
    session: AsyncSession, runtime: NotifyRuntime, staff_id: str, body: PreferenceUpdate, by: str
) -> PreferenceRead:
    if body.expected_updated_at is not None:
        # Locked as read: two desks saving one person's preferences at once cannot both
        # pass the check (gridcase_events/kit/versions.py).
        current = await repository.locked(session, staff_id)
        ensure_unchanged(
            what=f"the notification preferences of {staff_id}",
            expected=body.expected_updated_at,
            current_at=current.updated_at if current else None,
            current_by=current.updated_by if current else None,
        )
    saved = await repository.put(
        session,
        {
            "staff_id": staff_id,
            "disabled_channels": sorted(set(body.disabled_channels)),
            "email": body.email,
            "quiet_hours": body.quiet_hours,
            "updated_at": runtime.clock.now(),
            "updated_by": by,
        },
    )
    return PreferenceRead.model_validate(saved)


@router.get("/v1/preferences/me", response_model=PreferenceRead, summary="My preferences")
async def my_preferences(session: SessionDep, principal: CurrentPrincipal) -> PreferenceRead:
    return await _read(session, principal.sub)


@router.put(
    "/v1/preferences/me",
    response_model=PreferenceRead,
    summary="Set my preferences (SMS about urgent cases cannot be turned off)",
    responses=STALE,
)
async def put_my_preferences(
    body: PreferenceUpdate, session: SessionDep, runtime: RuntimeDep, principal: CurrentPrincipal
) -> PreferenceRead:
    return await _write(session, runtime, principal.sub, body, principal.sub)


@router.get("/v1/preferences/{staff_id:path}", response_model=PreferenceRead, summary="(admin)")
async def staff_preferences(
    staff_id: StaffId, session: SessionDep, principal: Admin
) -> PreferenceRead:
    return await _read(session, staff_id)


@router.put(
    "/v1/preferences/{staff_id:path}",
    response_model=PreferenceRead,
    summary="(admin)",
    responses=STALE,
)
async def put_staff_preferences(
    staff_id: StaffId,
    body: PreferenceUpdate,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Admin,
) -> PreferenceRead:
    return await _write(session, runtime, staff_id, body, principal.sub)
