"""The directory's areas as GeoJSON, for drawing grids on a map."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.directory import repository as directory_repository
from gridcase_events.areas import district_of


async def areas(
    *,
    session: AsyncSession,
    level: str | None,
    parent_code: str | None,
    district: str | None = None,
) -> dict[str, Any]:
    """The areas as a FeatureCollection; only `district`'s when one is given."""
    features = [
        {
            "type": "Feature",
            "id": area.code,
            "geometry": area.geometry,
            "properties": {
                "code": area.code,
                "name": area.name,
                "level": area.level,
                "parent_code": area.parent_code,
                "kind": area.kind,
                "households": area.households,
            },
        }
        for area in await directory_repository.areas(session, level=level, parent_code=parent_code)
        if district is None or district_of(area.code) == district
    ]
    return {"type": "FeatureCollection", "features": features}
