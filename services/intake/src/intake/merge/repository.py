"""The SQL of duplicate merging: the lock and the search for open cases."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from intake.cases.models import Case

# The public statuses of a case that is no longer open.
FINISHED = ("closed", "evaluated", "withdrawn")
_LOCK_SPACE = 0x1A7A  # the first key of intake's advisory locks: merging by category
_METRES_PER_DEGREE = 111_320.0


async def lock_category(session: AsyncSession, category_norm: str) -> None:
    """A transaction-scoped advisory lock per category (released at commit/rollback)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
        {"space": _LOCK_SPACE, "key": category_norm},
    )


async def open_candidates(
    session: AsyncSession,
    *,
    category_norm: str,
    since: datetime,
    until: datetime,
    near: tuple[float, float, float] | None,
    address_norm: str | None,
) -> Sequence[Case]:
    """Open first reports of the category reported in [since, until], inside a box
    around the point (the exact distance is the caller's) or at the same address."""
    places = []
    if near is not None:
        lat, lon, metres = near
        dlat = metres / _METRES_PER_DEGREE
        dlon = metres / (_METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
        places.append(
            and_(Case.lat.between(lat - dlat, lat + dlat), Case.lon.between(lon - dlon, lon + dlon))
        )
    if address_norm is not None:
        places.append(Case.address_norm == address_norm)
    result = await session.execute(
        select(Case)
        .where(
            Case.category_norm == category_norm,
            Case.duplicate_of.is_(None),
            Case.status.not_in(FINISHED),
            Case.reported_at.between(since, until),
            or_(*places),
        )
        .order_by(Case.reported_at)
        .limit(200)
    )
    return result.scalars().all()
