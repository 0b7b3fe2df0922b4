from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.policies.models import ANY, CITY, Policy

_CANDIDATES = "escalation.policies.candidates"
"""Where a transaction keeps the policies it read (``session.info``): a case's events
start several clocks in one transaction, each asking for the same category and priority.
A change to the policies in the transaction forgets them (:func:`upsert`)."""


async def candidates(
    session: AsyncSession,
    *,
    category_code: str | None,
    priority: str,
    clock: str,
    district: str | None = None,
) -> Sequence[Policy]:
    """The policies that may apply to a clock of this category and priority (read once
    per transaction for every clock)."""
    found = candidates_read(
        session, category_code=category_code, priority=priority, district=district
    )
    if found is None:
        values = candidate_values(category_code=category_code, priority=priority, district=district)
        found = (await session.execute(CANDIDATES, values)).scalars().all()
        remember_candidates(
            session, category_code=category_code, priority=priority, district=district, found=found
        )
    return [p for p in found if p.clock == clock]


CANDIDATES = select(Policy).where(
    Policy.district_code.in_([literal(CITY), bindparam("district")]),
    Policy.category_code.in_([bindparam("category"), literal(ANY)]),
    Policy.priority.in_([bindparam("priority"), literal(ANY)]),
)
"""The policies that may apply to clocks of a category and priority, built once
(values: :func:`candidate_values`)."""


def candidate_values(
    *, category_code: str | None, priority: str, district: str | None
) -> dict[str, str]:
    return {"district": district or CITY, "category": category_code or ANY, "priority": priority}


def candidates_read(
    session: AsyncSession, *, category_code: str | None, priority: str, district: str | None
) -> Sequence[Policy] | None:
    """What this transaction read of :data:`CANDIDATES` for these, else None."""
    read: dict[tuple[str, str, str], Sequence[Policy]] = session.info.get(_CANDIDATES, {})
    return read.get((district or CITY, category_code or ANY, priority))


def remember_candidates(
    session: AsyncSession,
    *,
    category_code: str | None,
    priority: str,
    district: str | None,
    found: Sequence[Policy],
) -> None:
    """Keeps what :data:`CANDIDATES` read (here or in another statement)."""
    read: dict[tuple[str, str, str], Sequence[Policy]] = session.info.setdefault(_CANDIDATES, {})
    read[(district or CITY, category_code or ANY, priority)] = found


async def all_policies(session: AsyncSession, *, district: str | None) -> Sequence[Policy]:
    """The city's default and `district`'s own (None: every district's)."""
    query = select(Policy)
    if district is not None:
        query = query.where(Policy.district_code.in_([CITY, district]))
    result = await session.execute(
        query.order_by(Policy.district_code, Policy.category_code, Policy.priority, Policy.clock)
    )
    return result.scalars().all()


async def locked(
    session: AsyncSession, *, district_code: str, category_code: str, priority: str, clock: str
) -> Policy | None:
    """The row, locked until the transaction ends and read afresh (a version check)."""
    result = await session.execute(
        select(Policy)
        .where(
            Policy.district_code == district_code,
            Policy.category_code == category_code,
            Policy.priority == priority,
            Policy.clock == clock,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def upsert(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    session.info.pop(_CANDIDATES, None)
    stmt = insert(Policy)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["district_code", "category_code", "priority", "clock"],
            set_={
                c: stmt.excluded[c]
                for c in (
                    "amount",
                    "unit",
                    "working_hours",
                    "end_of_day",
                    "updated_at",
                    "updated_by",
                )
            },
        ),
        list(rows),
    )
