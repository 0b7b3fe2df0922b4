"""Message templates: Jinja2, one per channel, event type and language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=False,
)


def _clause(text: str) -> str:
    """A sentence without its closing punctuation, to be embedded in another."""
    return text.rstrip("。.!！?？;；,， ")


_env.filters["clause"] = _clause

# Template ids registered with the SMS provider, per event type.
SMS_TEMPLATE_IDS = {"case.assigned": "GC_CASE_ASSIGNED"}


def render(*, channel: str, event_type: str, language: str, params: dict[str, Any]) -> str:
    return _env.get_template(f"{channel}/{event_type}.{language}.j2").render(**params).strip()
