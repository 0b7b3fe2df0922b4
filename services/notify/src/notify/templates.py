"""Message templates: Jinja2, one per channel, event type and language
(``templates/<channel>/<event type>.<language>.j2``), with ``StrictUndefined`` so that
a missing parameter is an error, never a blank. E-mail and group robots without a
template of their own use the SMS one; an in-app template's first line is its title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    select_autoescape,
)

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=False,
    auto_reload=False,  # the package's own files: compiled once, not checked per message
)

__all__ = ["CLOCK_LABELS", "SMS_TEMPLATE_IDS", "TemplateNotFound", "enrich", "render"]


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
    "supervision.issued": "GC_SUPERVISION_ISSUED",
    "case.accepted": "GC_CASE_ACCEPTED",
    "case.resolved": "GC_CASE_RESOLVED",
    "case.closed": "GC_CASE_CLOSED",
    "digest": "GC_DIGEST",
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
# Channels that may borrow the SMS wording when they have none of their own.
_FALLS_BACK_TO_SMS = frozenset({"email", "wecom", "dingtalk"})


def enrich(params: dict[str, Any], *, language: str, sign_name: str) -> dict[str, Any]:
    """The parameters every template may use besides the event's own."""
    return {
        "sign_name": sign_name,
        **params,
        "clock_label": CLOCK_LABELS[language].get(str(params.get("clock", "")), ""),
    }


def template_name(*, channel: str, event_type: str, language: str) -> str:
    """The template a message uses; raises :class:`TemplateNotFound` if there is none."""
    return _template(channel=channel, event_type=event_type, language=language).name or ""


def _template(*, channel: str, event_type: str, language: str) -> Template:
    names = [f"{channel}/{event_type}.{language}.j2"]
    if channel in _FALLS_BACK_TO_SMS:
        names.append(f"sms/{event_type}.{language}.j2")
    for name in names:
        try:
            return _env.get_template(name)
        except TemplateNotFound:
            continue
    raise TemplateNotFound(names[0])


def render(*, channel: str, event_type: str, language: str, params: dict[str, Any]) -> str:
    template = _template(channel=channel, event_type=event_type, language=language)
    return template.render(**params).strip()
