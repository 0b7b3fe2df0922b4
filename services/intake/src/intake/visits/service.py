"""Household visits (入户走访): "one household, one file" — every visit to an address,
and the cases raised on them, found by the normalised address."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads
from gridcase_events.addresses import normalize_address
from gridcase_events.areas import district_of
from gridcase_events.envelope import new_id
from gridcase_events.kit.auth import AREA_ROLES, Principal
from gridcase_events.kit.errors import Forbidden, NotFound
from intake import scopes
from intake.cases import service as case_service
from intake.cases.schemas import CaseCreated
from intake.deps import IntakeRuntime
from intake.idempotency.schemas import Key, Replay
from intake.idempotency.service import idempotent
from intake.patrols import service as patrol_service
from intake.patrols.schemas import FieldReportIn
from intake.visits import repository
from intake.visits.models import HouseholdVisit
from intake.visits.schemas import VisitCreate, VisitRead

_KEY_LENGTH = 300  # the address_key column


def address_key(address: str) -> str:
    """The household's key: the platform's one address normaliser
    (``gridcase_events.addresses``: full-width forms, spaces, punctuation and case
    folded, 号楼/幢/栋 as one word), so ``桂花路1号1号楼`` and ``桂花路１号 1栋`` are one
    household. Cut to the column's 300 letters: NFKC can lengthen a text."""
    return normalize_address(address)[:_KEY_LENGTH]


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
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    body: VisitCreate,
    correlation_id: str,
) -> HouseholdVisit:
    """Stores the visit and announces it (``visit.recorded``, without the household's
    address, name or notes) through the outbox in the same transaction."""
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
    if visit is None:
        raise RuntimeError(f"visit {visit_id} was not stored")
    await runtime.emit(
        session,
        payloads.VisitRecorded(
            visit_id=visit.id,
            staff_id=visit.staff_id,
            staff_role=principal.role,  # a field role: own_grid refused the others
            grid_code=visit.grid_code,
            visited_at=visit.visited_at,
        ),
        subject=str(visit.id),
        correlation_id=correlation_id,
        tenant=district_of(visit.grid_code),
    )
    return visit


async def record_visit(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    body: VisitCreate,
    key: Key | None,
    correlation_id: str,
) -> VisitRead | Replay:
    """A visit recorded, once per key."""

    async def effect() -> VisitRead:
        visit = await record(
            session=session,
            runtime=runtime,
            principal=principal,
            body=body,
            correlation_id=correlation_id,
        )
        return to_read(visit, [])

    return await idempotent(
        session=session, key=key, scope=f"staff:{principal.sub}", payload=body, effect=effect
    )


async def report(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    visit_id: UUID,
    body: FieldReportIn,
    correlation_id: str,
) -> CaseCreated:
    """A case (channel ``visit``) at the visited household's address."""
    visit = await repository.get(session, visit_id)
    if visit is None:
        raise NotFound(f"no visit {visit_id}")
    if visit.staff_id != principal.sub:
        raise Forbidden("only the visitor may report on this visit")
    case = await patrol_service.file_case(
        session=session,
        runtime=runtime,
        channel="visit",
        body=body,
        address=visit.address,
        correlation_id=correlation_id,
    )
    await repository.add_report(session, case_id=case.id, visit_id=visit.id)
    return CaseCreated(case_id=case.id, tracking_no=case.tracking_no)


async def report_case(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    visit_id: UUID,
    body: FieldReportIn,
    key: Key | None,
    correlation_id: str,
) -> CaseCreated | Replay:
    """A case raised on the caller's visit, once per key."""
    return await idempotent(
        session=session,
        key=key,
        scope=f"staff:{principal.sub}",
        payload=body,
        effect=lambda: report(
            session=session,
            runtime=runtime,
            principal=principal,
            visit_id=visit_id,
            body=body,
            correlation_id=correlation_id,
        ),
    )


async def household_file(
    *, session: AsyncSession, principal: Principal, address: str
) -> list[VisitRead]:
    """Every visit to the address that the caller's scope covers, oldest first. Names
    and notes of households are for the field workers of the area and admins, not for
    citywide desks (dispatchers, ops, the district centre)."""
    if not (principal.role == "admin" or (principal.role in AREA_ROLES and principal.area_code)):
        raise Forbidden(f"role {principal.role} without an area may not read household files")
    visits = [
        v
        for v in await repository.at_address(session, address_key(address))
        if scopes.covers(principal, v.grid_code)
    ]
    reported = await repository.reports_of(session, [v.id for v in visits])
    numbers = await case_service.tracking_numbers(
        session=session, case_ids=[c for cases in reported.values() for c in cases]
    )
    files = []
    for visit in visits:
        mine = set(reported.get(visit.id, ()))
        files.append(to_read(visit, [(c, t) for c, t in numbers.items() if c in mine]))
    return files
