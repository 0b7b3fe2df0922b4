"""The If-Match header of the case actions and hand-offs: the case version the caller
saw, so an action on a case that moved on meanwhile is refused (409), not applied."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from gridcase_events.kit.errors import Invalid

IfMatch = Annotated[
    str | None, Header(description="the case version you saw; 409 if it has moved on")
]


def expected_version(if_match: str | None) -> int | None:
    """The version in an If-Match value (``"3"``, ``W/"3"`` or ``3``); 422 otherwise."""
    if if_match is None:
        return None
    value = if_match.strip().strip('"').removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()):
        raise Invalid("If-Match must be the case version")
    return int(value)
