"""Rules as data: which event reaches whom over which channels (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit.auth import Principal, require_roles
from gridcase_events.kit.errors import InvalidFields
from gridcase_events.kit.versions import ensure_unchanged
from notify.deps import RuntimeDep, SessionDep
from notify.rules import repository
from notify.rules.schemas import SELECTOR_CHANNELS, EventType, RuleRead, RuleUpdate

router = APIRouter(tags=["rules"])
Admin = Annotated[Principal, Depends(require_roles("admin"))]
Reader = Annotated[Principal, Depends(require_roles("admin", "ops"))]


@router.get("/v1/rules", response_model=list[RuleRead], summary="Every notification rule")
async def list_rules(session: SessionDep, principal: Reader) -> list[RuleRead]:
    rules = await repository.all_rules(session)
    return [RuleRead.model_validate(r) for r in rules]


async def _unchanged_since(session: AsyncSession, event_type: str, body: RuleUpdate) -> None:
    """The editor's copy is still the stored one (the row locked until the commit, so two
    admins saving at once cannot both pass); else 409 with who changed it, and when."""
    if body.expected_updated_at is None:
        return
    current = await repository.get(session, event_type, for_update=True)
    if current is not None:
        ensure_unchanged(
            what="this rule",
            expected=body.expected_updated_at,
            current_at=current.updated_at,
            current_by=current.updated_by,
        )


@router.put(
    "/v1/rules/{event_type}",
    response_model=RuleRead,
    summary="Replace who hears of an event type, and over which channels",
    responses={
        409: {"description": "changed by someone else since expected_updated_at"},
        422: {"description": "unknown event type, selector or channel"},
    },
)
async def put_rule(
    event_type: EventType,
    body: RuleUpdate,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Admin,
) -> RuleRead:
    for i, entry in enumerate(body.recipients):
        wrong = set(entry.channels) - SELECTOR_CHANNELS[entry.selector]
        if wrong:
            # Its own type, with the selector and channels in ctx as pydantic gives its
            # values: the console says it in the reader's words (the text stays for others).
            raise InvalidFields(
                [
                    {
                        "loc": ["body", "recipients", i, "channels"],
                        "msg": f"{entry.selector} cannot be reached by {sorted(wrong)}",
                        "type": "channel_unreachable",
                        "ctx": {"selector": entry.selector, "channels": sorted(wrong)},
                    }
                ]
            )
    await _unchanged_since(session, event_type, body)
    rule = await repository.put(
        session,
        {
            "event_type": event_type,
            "recipients": [r.model_dump() for r in body.recipients],
            "updated_at": runtime.clock.now(),
            "updated_by": principal.sub,
        },
    )
    return RuleRead.model_validate(rule)
