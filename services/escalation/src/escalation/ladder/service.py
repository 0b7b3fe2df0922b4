"""The escalation ladder: after a breach, the case climbs rung by rung — grid member →
grid leader → station master → street officer → district centre (department cases go
to the district centre) — each rung after its delay, and the highest rung reached is
reminded (催办) at a cadence until the case moves. Rungs are data (``ladder_levels``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks import repository as clock_repository
from escalation.clocks.models import CaseClock
from escalation.directory import repository as directory_repository
from escalation.ladder import repository
from escalation.ladder.models import LadderLevel
from escalation.ladder.schemas import LadderLevelIn
from gridcase_events.areas import AreaCode, AreaLevel
from gridcase_events.kit.errors import Invalid
from gridcase_events.kit.versions import ensure_unchanged

# The level of the area each role stands over.
AREA_LEVEL: dict[str, AreaLevel] = {
    "grid_member": "grid",
    "grid_leader": "grid",
    "station_master": "community",
    "street_officer": "street",
    "district_center": "district",
    "dispatcher": "district",
}
UNITS = ("grid", "department", "ownership")


async def levels(session: AsyncSession, unit: str) -> Sequence[LadderLevel]:
    return await repository.levels(session, unit)


async def level(session: AsyncSession, unit: str, number: int) -> LadderLevel | None:
    return await repository.level(session, unit, number)


async def ladder(session: AsyncSession) -> list[LadderLevel]:
    """Every rung of every unit kind's ladder, unit by unit."""
    return [rung for unit in UNITS for rung in await repository.levels(session, unit)]


async def _unchanged_since(
    session: AsyncSession, unit: str, rungs: Sequence[LadderLevelIn]
) -> None:
    """The unit's ladder is still the version its editor read (any of its rungs may carry
    it); else 409 naming who replaced it, and when."""
    expected = [r.expected_updated_at for r in rungs if r.expected_updated_at is not None]
    if not expected:
        return
    current = await repository.locked_levels(session, unit)
    if not current:
        return
    newest = max(current, key=lambda rung: rung.updated_at)
    for sent in expected:
        ensure_unchanged(
            what=f"the {unit} ladder",
            expected=sent,
            current_at=newest.updated_at,
            current_by=newest.updated_by,
        )


async def replace_units(
    session: AsyncSession, rungs: Sequence[LadderLevelIn], *, by: str, at: datetime
) -> list[LadderLevel]:
    """Replaces the ladder of each unit kind named in `rungs` (the others stay), as of
    `at` by `by`; the levels of a unit kind must be 1, 2, 3 … without gaps (422). A unit
    sent with the version its editor read is refused (409, nothing saved) when someone
    replaced it since. Returns the whole ladder."""
    units = sorted({r.unit for r in rungs})
    for unit in units:
        numbers = sorted(r.level for r in rungs if r.unit == unit)
        if numbers != list(range(1, len(numbers) + 1)):
            raise Invalid(f"the {unit} ladder's levels must be 1, 2, 3 … without gaps")
    for unit in units:
        await _unchanged_since(session, unit, [r for r in rungs if r.unit == unit])
    for unit in units:
        await repository.replace(
            session,
            unit,
            [
                r.model_dump(exclude={"expected_updated_at"}) | {"updated_at": at, "updated_by": by}
                for r in rungs
                if r.unit == unit
            ],
        )
    return await ladder(session)


def unit_of(clock: CaseClock) -> str:
    """Which ladder a clock climbs: a grid's, a department's, or — for a case nobody has
    accepted (首问负责制) — the first owner's superior, then the district centre."""
    department = clock.grid_code is None and clock.department_code is not None
    if clock.kind == "ownership":
        return "department" if department else "ownership"
    return "department" if department else "grid"


async def targets(
    session: AsyncSession, *, rung: LadderLevel, clock: CaseClock, tenant: str
) -> list[str]:
    """Who stands on the rung over the case's area (the district for department cases)."""
    level = AREA_LEVEL.get(rung.role)
    if level is None:
        return []
    area = AreaCode(clock.grid_code or tenant).at(level)
    if area is None:
        return []
    return await directory_repository.holders(session, role=rung.role, area_code=str(area))


async def schedule_rungs(session: AsyncSession, *, clock: CaseClock, breach_due: datetime) -> None:
    """After a breach: one timer per rung, due at the breach plus the rung's delay."""
    rows = [
        {
            "clock_id": clock.id,
            "case_id": clock.case_id,
            "kind": "escalation",
            "percent": 100,
            "level": rung.level,
            "epoch": clock.epoch,
            "due_at": breach_due + timedelta(minutes=rung.delay_minutes),
            "status": "pending",
        }
        for rung in await levels(session, unit_of(clock))
    ]
    await clock_repository.add_timers(session, rows)


async def schedule_next_urge(
    session: AsyncSession, *, clock: CaseClock, now: datetime, interval: timedelta
) -> None:
    """One pending reminder at a time, `interval` from now."""
    if interval <= timedelta(0):
        return
    await clock_repository.cancel_pending_kind(session, clock_id=clock.id, kind="urge")
    done = await clock_repository.fired_levels(
        session, clock_id=clock.id, epoch=clock.epoch, kind="urge"
    )
    await clock_repository.add_timers(
        session,
        [
            {
                "clock_id": clock.id,
                "case_id": clock.case_id,
                "kind": "urge",
                "percent": 100,
                "level": (max(done) if done else 0) + 1,
                "epoch": clock.epoch,
                "due_at": now + interval,
                "status": "pending",
            }
        ],
    )


async def highest_rung(session: AsyncSession, *, clock: CaseClock) -> int:
    fired = await clock_repository.fired_levels(
        session, clock_id=clock.id, epoch=clock.epoch, kind="escalation"
    )
    return max(fired) if fired else 0


SUPERIOR = {
    "grid_member": "grid_leader",
    "grid_leader": "station_master",
    "station_master": "street_officer",
    "street_officer": "district_center",
}


async def superiors_of(
    session: AsyncSession, *, rung: LadderLevel, clock: CaseClock, tenant: str
) -> list[str]:
    """Who stands one rank above `rung`'s role over the same area."""
    role = SUPERIOR.get(rung.role)
    if role is None:
        return []
    above = LadderLevel(unit=rung.unit, level=rung.level, role=role, delay_minutes=0)
    return await targets(session, rung=above, clock=clock, tenant=tenant)
