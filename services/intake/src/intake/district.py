"""Where a reported point may lie, on every channel a point comes in by.

Which rule applies, first match wins:

1. ``INTAKE_DISTRICT_BOUNDS`` set: the box (an override; the imported grids are not
   consulted). A coordinate outside it is refused at that field (``lat`` or ``lon``).
2. Grids imported (the directory's areas, ``intake.catalogue.boundary``): the point
   must lie in a grid of a known district, or within ``INTAKE_BOUNDARY_MARGIN_M`` of
   one. A point that does not is refused at its ``lon`` field (checked with the
   ``lat`` before it), the message naming the nearest district and how far it is.
3. Nothing imported yet: any WGS84 point is taken, and dispatch routes the case as it
   can (to triage when no grid holds it).

One error type (``outside_district``) for the hotline, wish walls and their
transcriptions, patrol and visit reports and Open311: a model's ``lat``/``lon`` (or
Open311's ``long``) fields use :func:`within_district` as a field validator, which
checks when validated with the context ``{"district": District}`` (from
:func:`current`); bodies FastAPI parses itself (without that context) are checked
afterwards with :func:`check_point`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError
from sqlalchemy.ext.asyncio import AsyncSession

from intake.catalogue.boundary import Boundary
from intake.config import Bounds

if TYPE_CHECKING:
    from intake.deps import IntakeRuntime


@dataclass(frozen=True)
class District:
    """The rule in force for one request (see the module's docstring). `reused`: the
    grids are those read up to ``INTAKE_BOUNDARY_RECHECK_SECONDS`` ago (:func:`current`
    with `recent`), not read again for this request."""

    box: Bounds | None = None
    grids: Boundary | None = None
    reused: bool = False


async def current(
    session: AsyncSession, runtime: IntakeRuntime, *, recent: bool = False
) -> District:
    """The rule in force now. `recent` (the hotline push, on every push): the grids as
    read within the last ``INTAKE_BOUNDARY_RECHECK_SECONDS``, without a query; a point
    they refuse must be checked again with `recent` False before a 422 (:func:`refuses`),
    so that a grid just imported is never refused, while a grid just removed may still
    take a point for that long (dispatch routes it to triage, as for a point in no grid)."""
    settings = runtime.settings
    box = settings.bounds
    if box is not None:
        return District(box=box)
    boundaries = runtime.state.boundaries
    now = runtime.clock.now()
    if recent and settings.boundary_recheck_seconds > 0:
        grids, reused = await boundaries.recent(
            session, now=now, within=timedelta(seconds=settings.boundary_recheck_seconds)
        )
        return District(grids=grids, reused=reused)
    return District(grids=await boundaries.current(session, now=now))


def refuses(district: District, exc: ValidationError) -> bool:
    """Whether `exc` refuses a point by grids that were reused (:func:`current` with
    `recent`): then the grids must be read again before the point is refused."""
    return district.reused and any(e["type"] == "outside_district" for e in exc.errors())


def within_district(value: float | None, info: ValidationInfo) -> float | None:
    """A field validator for a latitude (``lat``) or longitude (``lon``/``long``)."""
    district = info.context.get("district") if isinstance(info.context, dict) else None
    if value is None or not isinstance(district, District):
        return value
    field = info.field_name or ""
    if district.box is not None:
        _in_box(district.box, field, value)
    elif district.grids and field == "lon":
        lat = info.data.get("lat")
        if isinstance(lat, float | int):
            _in_grids(district.grids, lat=float(lat), lon=value)
    return value


def _in_box(bounds: Bounds, field: str, value: float) -> None:
    low, high = (
        (bounds.min_lat, bounds.max_lat) if field == "lat" else (bounds.min_lon, bounds.max_lon)
    )
    if not low <= value <= high:
        raise PydanticCustomError(
            "outside_district",
            "{value} is outside the district ({low}..{high}; INTAKE_DISTRICT_BOUNDS {bounds})",
            {"field": field, "value": value, "low": low, "high": high, "bounds": bounds.describe()},
        )


def _in_grids(grids: Boundary, *, lat: float, lon: float) -> None:
    if grids.locate(lon=lon, lat=lat) is not None:
        return
    miss = grids.miss(lon=lon, lat=lat)
    raise PydanticCustomError(
        "outside_district",
        "the point (lat {lat}, lon {lon}) is outside the district: in no grid of "
        "{districts}; the nearest grid, of district {nearest}, is {metres} m away, more "
        "than the {margin} m allowed (INTAKE_BOUNDARY_MARGIN_M)",
        {
            "lat": lat,
            "lon": lon,
            "districts": ", ".join(grids.district_codes),
            "nearest": miss.district_code if miss else "",
            "metres": round(miss.metres) if miss else 0,
            "margin": round(grids.margin_m),
        },
    )


def errors(exc: ValidationError, loc: tuple[str | int, ...]) -> list[dict[str, Any]]:
    """A validation error's items under ``loc``, as FastAPI reports them."""
    return [{**error, "loc": (*loc, *error["loc"])} for error in exc.errors(include_url=False)]


def check_point(point: BaseModel | None, district: District, loc: tuple[str | int, ...]) -> None:
    """422 (``RequestValidationError``) for a point of a parsed body outside the district."""
    if point is None:
        return
    try:
        type(point).model_validate(point.model_dump(), context={"district": district})
    except ValidationError as exc:
        raise RequestValidationError(errors(exc, loc)) from None
