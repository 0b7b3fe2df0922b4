"""What the rules need to know of an event, whatever its type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from gridcase_events import payloads

Notifiable = (
    payloads.CaseAssigned
    | payloads.CaseAccepted
    | payloads.CaseResolved
    | payloads.CaseClosed
    | payloads.SlaWarning
    | payloads.SlaBreached
    | payloads.CaseEscalated
    | payloads.SupervisionIssued
)
"""The event payloads notify's rules speak of."""

STATUS_WORDS = {"case.accepted": "accepted", "case.resolved": "resolved", "case.closed": "closed"}


@dataclass
class Facts:
    """What the rules need to know of an event, whatever its type."""

    case_id: UUID | None
    tracking_no: str
    priority: str
    params: dict[str, Any]
    assignee_id: str | None = None
    rung: list[str] = field(default_factory=list)
    grid_code: str | None = None
    community_code: str | None = None
    department_code: str | None = None
    case_channel: str | None = None
    external_ref: str | None = None
    status: str | None = None
    note: str | None = None
    at: datetime | None = None

    @property
    def area_code(self) -> str | None:
        return self.grid_code or self.community_code


def _local(value: datetime, timezone: str) -> str:
    return value.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M")


def _sla_params(sla: Any, timezone: str) -> dict[str, Any]:
    return {
        "tracking_no": sla.tracking_no,
        "clock": sla.clock,
        "due_local": _local(sla.due_at, timezone),
        "priority": sla.priority,
    }


def facts_of(event_type: str, payload: object, *, timezone: str) -> Facts | None:
    """Reads an event into :class:`Facts` (None for an event with no one to tell)."""
    if isinstance(payload, payloads.CaseAssigned):
        return Facts(
            case_id=payload.case_id,
            tracking_no=payload.tracking_no,
            priority=payload.priority,
            assignee_id=payload.assignee_id,
            grid_code=payload.grid_code,
            community_code=payload.community_code,
            department_code=payload.department_code,
            case_channel=payload.channel,
            external_ref=payload.external_ref,
            params={
                "tracking_no": payload.tracking_no,
                "summary": payload.summary,
                "priority": payload.priority,
                "post": payload.post,
            },
        )
    if isinstance(payload, payloads.CaseEscalated):
        return Facts(
            case_id=payload.case_id,
            tracking_no=payload.tracking_no,
            priority=payload.priority,
            rung=list(payload.target_staff_ids),
            grid_code=payload.grid_code,
            department_code=payload.department_code,
            params={
                **_sla_params(payload, timezone),
                "level": payload.level,
                "urge": payload.urge,
                "buck_passing": payload.buck_passing,
                "reason": payload.reason,
            },
        )
    if isinstance(payload, payloads.SlaWarning | payloads.SlaBreached):
        # An ownership clock has no assignee to tell: nobody has accepted the case.
        assignee = None if payload.clock == "ownership" else payload.assignee_id
        return Facts(
            case_id=payload.case_id,
            tracking_no=payload.tracking_no,
            priority=payload.priority,
            assignee_id=assignee,
            grid_code=payload.grid_code,
            department_code=payload.department_code,
            params={**_sla_params(payload, timezone), "percent": getattr(payload, "percent", 100)},
        )
    if isinstance(payload, payloads.SupervisionIssued):
        return Facts(
            case_id=payload.case_id,
            tracking_no=payload.tracking_no,
            priority="normal",
            grid_code=payload.grid_code,
            department_code=payload.department_code,
            params={
                "tracking_no": payload.tracking_no,
                "card": payload.card,
                "reason": payload.reason,
            },
        )
    if isinstance(payload, payloads.CaseAccepted | payloads.CaseResolved | payloads.CaseClosed):
        note = getattr(payload, "note", None)
        return Facts(
            case_id=payload.case_id,
            tracking_no=payload.tracking_no,
            priority=payload.priority,
            assignee_id=payload.assignee_id,
            grid_code=payload.grid_code,
            community_code=payload.community_code,
            department_code=payload.department_code,
            case_channel=payload.channel,
            external_ref=payload.external_ref,
            status=STATUS_WORDS[event_type],
            note=note,
            at=payload.at,
            params={
                "tracking_no": payload.tracking_no,
                "status": STATUS_WORDS[event_type],
                "note": note,
                "at_local": _local(payload.at, timezone),
            },
        )
    return None
