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
SMS_TEMPLATE_IDS = {
    "case.assigned": "GC_CASE_ASSIGNED",
    "case.escalated": "GC_CASE_ESCALATED",
    "sla.warning": "GC_SLA_WARNING",
    "sla.breached": "GC_SLA_BREACHED",
}
CLOCK_LABELS = {
    "zh": {
        "sign_for": "签收时限",
        "first_contact": "首次联系时限",
        "resolution": "办结时限",
        "callback": "回访时限",
        "ownership": "首问负责时限",
    },
    "en": {
        "sign_for": "sign-for limit",
        "first_contact": "first-contact limit",
        "resolution": "resolution limit",
        "callback": "callback limit",
        "ownership": "ownership limit",
    },
}


def render(*, channel: str, event_type: str, language: str, params: dict[str, Any]) -> str:
    return _env.get_template(f"{channel}/{event_type}.{language}.j2").render(**params).strip()
