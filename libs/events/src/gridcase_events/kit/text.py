"""Text that PostgreSQL can store: no NUL (``\\x00``), which text columns cannot hold,
and no lone surrogates (``\\ud800``-``\\udfff``, legal in JSON escapes), which are not
UTF-8. Either is malformed input (a 422), never a 500 from the database.

``StorableText`` is the field type (``storable`` the validator, for a text or a list
of texts); ``validation_error`` is FastAPI's 422 with refused input made encodable, for
services to register (``app.add_exception_handler``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(value: Any) -> Any:
    """`value` (a text, a list of texts, or anything else such as an absent None)
    unchanged, or a precise validation error."""
    for text in value if isinstance(value, list) else [value]:
        if not isinstance(text, str):
            continue
        if "\x00" in text:
            raise PydanticCustomError("nul_character", "must not contain NUL characters")
        if _SURROGATE.search(text):
            raise PydanticCustomError(
                "surrogate_character",
                "must not contain lone surrogates (\\ud800-\\udfff): not valid Unicode text",
            )
    return value


StorableText = Annotated[str, AfterValidator(storable)]
Storable = AfterValidator(storable)  # for Annotated query and path parameters


def replace_surrogates(value: Any) -> Any:
    """`value` (as JSON holds it) with lone surrogates as U+FFFD: an answer that echoes a
    refused input must still be encodable as UTF-8."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {replace_surrogates(k): replace_surrogates(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [replace_surrogates(v) for v in value]
    return value


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422, with the echoed input made encodable (see `replace_surrogates`)."""
    if not isinstance(exc, RequestValidationError):
        raise exc
    return JSONResponse(
        {"detail": replace_surrogates(jsonable_encoder(exc.errors()))}, status_code=422
    )
