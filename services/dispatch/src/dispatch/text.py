"""Text PostgreSQL can store: a NUL character (``\\x00``) in a text column or a query
parameter is an error of the database, so it is a 422 of the request instead."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(no_nul)]
