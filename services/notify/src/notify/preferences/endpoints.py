"""Staff preferences: channels, e-mail address, quiet hours (mine; admins: anyone's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from gridcase_events.kit.auth import CurrentPrincipal, Principal, require_roles
from notify.deps import RuntimeDep
from notify.preferences import repository
from notify.preferences.schemas import PreferenceRead, PreferenceUpdate

router = APIRouter(tags=["preferences"])
Admin = Annotated[Principal, Depends(require_roles("admin"))]


async def _read(runtime: RuntimeDep, staff_id: str) -> PreferenceRead:
    async with runtime.sessionmaker() as session:
        found = await repository.get(session, staff_id)
    if found is None:
        return PreferenceRead(staff_id=staff_id)
    return PreferenceRead.model_validate(found)


async def _write(
    runtime: RuntimeDep, staff_id: str, body: PreferenceUpdate, by: str
) -> PreferenceRead:
    async with runtime.transaction() as session:
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
        read = PreferenceRead.model_validate(saved)
    return read


@router.get("/v1/preferences/me", response_model=PreferenceRead, summary="My preferences")
async def my_preferences(runtime: RuntimeDep, principal: CurrentPrincipal) -> PreferenceRead:
    return await _read(runtime, principal.sub)


@router.put(
    "/v1/preferences/me",
    response_model=PreferenceRead,
    summary="Set my preferences (SMS about urgent cases cannot be turned off)",
)
async def put_my_preferences(
    body: PreferenceUpdate, runtime: RuntimeDep, principal: CurrentPrincipal
) -> PreferenceRead:
    return await _write(runtime, principal.sub, body, principal.sub)


@router.get("/v1/preferences/{staff_id}", response_model=PreferenceRead, summary="(admin)")
async def staff_preferences(staff_id: str, runtime: RuntimeDep, principal: Admin) -> PreferenceRead:
    return await _read(runtime, staff_id)


@router.put("/v1/preferences/{staff_id}", response_model=PreferenceRead, summary="(admin)")
async def put_staff_preferences(
    staff_id: str, body: PreferenceUpdate, runtime: RuntimeDep, principal: Admin
) -> PreferenceRead:
    return await _write(runtime, staff_id, body, principal.sub)
