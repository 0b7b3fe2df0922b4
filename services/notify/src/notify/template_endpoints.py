"""Previewing a message template (admin, ops)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from jinja2 import TemplateError, TemplateNotFound, UndefinedError
from pydantic import BaseModel, ConfigDict, Field

from gridcase_events.kit.auth import Principal, require_roles
from gridcase_events.kit.errors import InvalidFields
from notify import templates
from notify.deps import SettingsDep
from notify.rules.schemas import ChannelName

router = APIRouter(tags=["templates"])
Ops = Annotated[Principal, Depends(require_roles("admin", "ops"))]


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_type: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)*$", max_length=100)
    channel: ChannelName
    language: Literal["zh", "en"] = "zh"
    params: dict[str, Any] = Field(default_factory=dict)


class PreviewOut(BaseModel):
    template: str
    text: str


def _unprocessable(field: str, message: str) -> InvalidFields:
    return InvalidFields.at(["body", field], message)


@router.post(
    "/v1/templates/preview",
    response_model=PreviewOut,
    summary="Render a template with the given parameters",
    responses={422: {"description": "no such template, or a parameter is missing"}},
)
async def preview(body: PreviewIn, settings: SettingsDep, principal: Ops) -> PreviewOut:
    try:
        name = templates.template_name(
            channel=body.channel, event_type=body.event_type, language=body.language
        )
    except TemplateNotFound:
        raise _unprocessable(
            "event_type", f"no {body.language} template for {body.event_type} on {body.channel}"
        ) from None
    params = templates.enrich(body.params, language=body.language, sign_name=settings.sms_sign_name)
    try:
        text = templates.render(
            channel=body.channel, event_type=body.event_type, language=body.language, params=params
        )
    except UndefinedError as exc:
        raise _unprocessable("params", f"missing parameter: {exc.message}") from None
    except (TemplateError, TypeError, ValueError) as exc:
        raise _unprocessable("params", f"cannot render: {exc}") from None
    return PreviewOut(template=name, text=text)
