"""JSON and XML renderings of Open311 documents (the Spark convention: an XML list
element holds one child per item; JSON has the array)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import Response
from pydantic import BaseModel

from intake.open311.schemas import ErrorRead

# The element name of one item of each list.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


# What XML 1.0 cannot carry (control characters but tab and line breaks; lone
# surrogates): dropped from text, which may come from dispatch's notes or a URL.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, ITEMS[element.tag]), item)
    elif value is not None:
        element.text = _text(value)


def xml_bytes(root: str, document: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, document)
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + ET.tostring(element, encoding="unicode").encode()
    )


def render(
    fmt: str,
    root: str,
    document: BaseModel | Sequence[BaseModel],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """`document` as JSON (an array for a list) or as XML under `root`."""
    if isinstance(document, BaseModel):
        data: Any = document.model_dump(mode="json")
    else:
        data = [item.model_dump(mode="json") for item in document]
    if fmt == "xml":
        body = xml_bytes(root, data)
        return Response(body, status_code=status_code, media_type=XML_TYPE, headers=headers)
    return Response(
        json.dumps(data, ensure_ascii=False).encode(),
        status_code=status_code,
        media_type=JSON_TYPE,
        headers=headers,
    )


def errors(
    fmt: str,
    status_code: int,
    items: Sequence[tuple[int, str]],
    headers: dict[str, str] | None = None,
) -> Response:
    """The specification's error document: ``<errors><error><code/><description/>``."""
    return render(
        fmt,
        "errors",
        [ErrorRead(code=code, description=description) for code, description in items],
        status_code=status_code,
        headers=headers,
    )
