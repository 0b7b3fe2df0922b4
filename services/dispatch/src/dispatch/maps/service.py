"""The directory's areas as GeoJSON, for drawing grids on a map."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.directory import repository as directory_repository


async def areas(
    *, session: AsyncSession, level: str | None, parent_code: str | None
) -> dict[str, Any]:
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
    ]
    return {"type": "FeatureCollection", "features": features}
