"""Which robot speaks for a case: the nearest configured one up the area chain."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from notify.robots import repository

# Area codes chain their parents': district 6, street 9, community 12, grid 15 digits.
_LEVELS = (15, 12, 9, 6)


def area_chain(area_code: str) -> list[str]:
    """The area and its parents, nearest first."""
    return [area_code[:n] for n in _LEVELS if len(area_code) >= n]


async def robot_code(
    *, session: AsyncSession, channel: str, area_code: str | None, department_code: str | None
) -> str | None:
    """The code of the robot a case's message goes to, or None when none is set up."""
    candidates = ([department_code] if department_code else []) + (
        area_chain(area_code) if area_code else []
    )
    if not candidates:
        return None
    found = {r.code for r in await repository.of_codes(session, candidates) if r.channel == channel}
    return next((c for c in candidates if c in found), None)


def mask_url(url: str) -> str:
    """Robot URLs carry their key in the query; show the endpoint only."""
    base, _, query = url.partition("?")
    return f"{base}?…" if query else base
