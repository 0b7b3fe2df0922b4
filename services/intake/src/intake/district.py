"""The district's bounds (``INTAKE_DISTRICT_BOUNDS``) on every channel a point comes in by.

One rule and one error (type ``outside_district``) for the hotline, wish walls and their
transcriptions, patrol and visit reports and Open311: a model's ``lat``/``lon`` (or
Open311's ``long``) fields use :func:`within_district` as a field validator, which
checks when validated with the context ``{"bounds": Bounds}``; bodies FastAPI parses
itself (without that context) are checked afterwards with :func:`check_point`."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError

from intake.config import Bounds


def within_district(value: float | None, info: ValidationInfo) -> float | None:
    """A field validator for a latitude (``lat``) or longitude (``lon``/``long``)."""
    bounds = info.context.get("bounds") if isinstance(info.context, dict) else None
    if value is None or not isinstance(bounds, Bounds):
        return value
    field = info.field_name or ""
    low, high = (
        (bounds.min_lat, bounds.max_lat) if field == "lat" else (bounds.min_lon, bounds.max_lon)
    )
    if not low <= value <= high:
        raise PydanticCustomError(
            "outside_district",
            "{value} is outside the district ({low}..{high}; INTAKE_DISTRICT_BOUNDS {bounds})",
            {"field": field, "value": value, "low": low, "high": high, "bounds": bounds.describe()},
        )
    return value


def errors(exc: ValidationError, loc: tuple[str | int, ...]) -> list[dict[str, Any]]:
    """A validation error's items under ``loc``, as FastAPI reports them."""
    return [{**error, "loc": (*loc, *error["loc"])} for error in exc.errors(include_url=False)]


def check_point(point: BaseModel | None, bounds: Bounds, loc: tuple[str | int, ...]) -> None:
    """422 (``RequestValidationError``) for a point of a parsed body outside the district."""
    if point is None:
        return
    try:
        type(point).model_validate(point.model_dump(), context={"bounds": bounds})
    except ValidationError as exc:
        raise RequestValidationError(errors(exc, loc)) from None
