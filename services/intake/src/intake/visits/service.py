"""Household visits (入户走访): "one household, one file" — every visit to an address,
and the cases raised on them, found by the normalised address."""

from __future__ import annotations

import re
import unicodedata
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.envelope import new_id
from gridcase_events.kit.auth import AREA_ROLES, Principal
from gridcase_events.kit.runtime import Runtime
from intake import scopes
from intake.cases.models import Case
from intake.cases.schemas import CaseCreated
from intake.config import IntakeSettings
from intake.patrols import service as patrol_service
from intake.patrols.schemas import FieldReportIn
from intake.visits import repository
from intake.visits.models import HouseholdVisit
from intake.visits.schemas import VisitCreate, VisitRead

_SPACE = re.compile(r"\s+")


def address_key(address: str) -> str:
    """Full-width forms folded (NFKC), spaces dropped, letters lower-cased:
    ``桂花路 1号１栋`` and ``桂花路1号1栋`` are one household. Cut to the column's 300
    letters: NFKC can lengthen a text."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", address)).lower()[:300]


def to_read(visit: HouseholdVisit, reports: list[tuple[UUID, str]]) -> VisitRead:
    return VisitRead(
        id=visit.id,
        staff_id=visit.staff_id,
        grid_code=visit.grid_code,
        address=visit.address,
        household=visit.household,
        notes=visit.notes,
        visited_at=visit.visited_at,
        reports=[CaseCreated(case_id=c, tracking_no=t) for c, t in reports],
    )


async def record(
    *, session: AsyncSession, runtime: Runtime, principal: Principal, body: VisitCreate
) -> HouseholdVisit:
    grid = patrol_service.own_grid(principal, body.grid_code)
    visit_id = new_id()
    await repository.add(
        session,
        {
            "id": visit_id,
            "staff_id": principal.sub,
            "grid_code": grid,
            "address": body.address,
            "address_key": address_key(body.address),
            "household": body.household,
            "notes": body.notes,
            "visited_at": runtime.clock.now(),
        },
    )
    visit = await repository.get(session, visit_id)
    assert visit is not None
    return visit


async def report(
    *,
    session: AsyncSession,
    runtime: Runtime,
    settings: IntakeSettings,
    principal: Principal,
    visit_id: UUID,
    body: FieldReportIn,
    correlation_id: str,
) -> Case:
    """A case (channel ``visit``) at the visited household's address."""
    visit = await repository.get(session, visit_id)
    if visit is None:
        raise patrol_service.NotFound(f"no visit {visit_id}")
    if visit.staff_id != principal.sub:
        raise patrol_service.Forbidden("only the visitor may report on this visit")
    case = await patrol_service.file_case(
        session=session,
        runtime=runtime,
        settings=settings,
        channel="visit",
        body=body,
        address=visit.address,
        correlation_id=correlation_id,
    )
    await repository.add_report(session, case_id=case.id, visit_id=visit.id)
    return case


async def household_file(
    *, session: AsyncSession, principal: Principal, address: str
) -> list[VisitRead]:
    """Every visit to the address that the caller's scope covers, oldest first. Names
    and notes of households are for the field workers of the area and admins, not for
    citywide desks (dispatchers, ops, the district centre)."""
    if not (principal.role == "admin" or (principal.role in AREA_ROLES and principal.area_code)):
        raise patrol_service.Forbidden(
            f"role {principal.role} without an area may not read household files"
        )
    visits = [
        v
        for v in await repository.at_address(session, address_key(address))
        if scopes.covers(principal, v.grid_code)
    ]
    reports = await repository.reports_of(session, [v.id for v in visits])
    return [to_read(v, reports.get(v.id, [])) for v in visits]
