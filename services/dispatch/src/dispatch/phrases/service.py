"""常用语: canned phrases per unit and action. Everyone reads the phrases of their unit
and of the areas above it; a unit's phrases are kept by the person who leads it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.phrases import repository
from dispatch.phrases.schemas import PhraseAction, PhrasesList, PhrasesPut, PhrasesRead
from gridcase_events.areas import AreaCode
from gridcase_events.kit.auth import Principal
from gridcase_events.kit.errors import Forbidden
from gridcase_events.kit.versions import ensure_unchanged

EDITORS = frozenset(
    {
        "grid_leader",
        "station_master",
        "street_officer",
        "dispatcher",
        "district_center",
        "city_center",
    }
)


def readable_units(principal: Principal) -> list[str]:
    """The caller's department, or their area and every area above it (widest first)."""
    if principal.role == "department_operator":
        return [f"department:{principal.department_code}"] if principal.department_code else []
    if not principal.area_code:
        return []
    area = AreaCode(principal.area_code)
    return [f"area:{a}" for a in [*area.ancestors(), area]]


def own_unit(principal: Principal) -> str:
    """The unit whose phrases the caller keeps; :class:`Forbidden` for grid members,
    ops and admins (they use phrases, they do not keep a unit's)."""
    if principal.role == "department_operator" and principal.department_code:
        return f"department:{principal.department_code}"
    if principal.role in EDITORS and principal.area_code:
        return f"area:{principal.area_code}"
    raise Forbidden("a unit's phrases are kept by the person who leads it")


async def read(
    *, session: AsyncSession, principal: Principal, action: PhraseAction | None
) -> PhrasesList:
    units = readable_units(principal)
    rows = {(r.unit, r.action): r for r in await repository.of_units(session, units, action)}
    items = [
        PhrasesRead.model_validate(row, from_attributes=True)
        for unit in units
        for (row_unit, _), row in sorted(rows.items())
        if row_unit == unit
    ]
    return PhrasesList(items=items)


async def put(
    *, session: AsyncSession, principal: Principal, request: PhrasesPut, now: datetime
) -> PhrasesRead:
    """Replaces the unit's list for the action; sent with the version its editor read,
    refused (409, nothing saved) when someone saved it since."""
    unit = own_unit(principal)
    if request.expected_updated_at is not None:
        current = await repository.locked(session, unit=unit, action=request.action)
        ensure_unchanged(
            what=f"the {request.action} phrases of {unit}",
            expected=request.expected_updated_at,
            current_at=current.updated_at if current else None,
            current_by=current.updated_by if current else None,
        )
    phrases = list(dict.fromkeys(request.phrases))  # once each, in the order given
    await repository.put(
        session, unit=unit, action=request.action, phrases=phrases, by=principal.sub, at=now
    )
    return PhrasesRead(
        unit=unit, action=request.action, phrases=phrases, updated_by=principal.sub, updated_at=now
    )
