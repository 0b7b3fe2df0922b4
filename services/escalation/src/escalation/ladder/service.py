"""The escalation ladder: after a breach, the case climbs rung by rung — grid member →
grid leader → station master → street officer → district centre (department cases go
to the district centre) — each rung after its delay, and the highest rung reached is
reminded (催办) at a cadence until the case moves. Rungs are data (``ladder_levels``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks import repository as clock_repository
from escalation.clocks.models import CaseClock
from escalation.directory import repository as directory_repository
from escalation.ladder.models import LadderLevel

# How many digits of an area code name each level (codes chain their parents' codes).
AREA_DIGITS = {
    "grid_member": 15,
    "grid_leader": 15,
    "station_master": 12,
    "street_officer": 9,
    "district_center": 6,
    "dispatcher": 6,
}


async def levels(session: AsyncSession, unit: str) -> Sequence[LadderLevel]:
    result = await session.execute(
        select(LadderLevel).where(LadderLevel.unit == unit).order_by(LadderLevel.level)
    )
    return result.scalars().all()


async def level(session: AsyncSession, unit: str, number: int) -> LadderLevel | None:
    result = await session.execute(
        select(LadderLevel).where(LadderLevel.unit == unit, LadderLevel.level == number)
    )
    return result.scalar_one_or_none()


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
    digits = AREA_DIGITS.get(rung.role)
    if digits is None:
        return []
    area = clock.grid_code or tenant
    if len(area) < digits:
        return []
    return await directory_repository.holders(session, role=rung.role, area_code=area[:digits])


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


async def replace(session: AsyncSession, unit: str, rows: Sequence[dict[str, object]]) -> None:
    await session.execute(delete(LadderLevel).where(LadderLevel.unit == unit))
    session.add_all(LadderLevel(**row) for row in rows)
    await session.flush()


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
