"""What the rules need to know of an event, whatever its type."""

from __future__ import annotations

from collections.abc import Callable
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


def _assigned(event_type: str, p: payloads.CaseAssigned, timezone: str) -> Facts:
    return Facts(
        case_id=p.case_id,
        tracking_no=p.tracking_no,
        priority=p.priority,
        assignee_id=p.assignee_id,
        grid_code=p.grid_code,
        community_code=p.community_code,
        department_code=p.department_code,
        case_channel=p.channel,
        external_ref=p.external_ref,
        params={
            "tracking_no": p.tracking_no,
            "summary": p.summary,
            "priority": p.priority,
            "post": p.post,
        },
    )


def _escalated(event_type: str, p: payloads.CaseEscalated, timezone: str) -> Facts:
    return Facts(
        case_id=p.case_id,
        tracking_no=p.tracking_no,
        priority=p.priority,
        rung=list(p.target_staff_ids),
        grid_code=p.grid_code,
        department_code=p.department_code,
        params={
            **_sla_params(p, timezone),
            "level": p.level,
            "urge": p.urge,
            "buck_passing": p.buck_passing,
            "reason": p.reason,
        },
    )


def _sla(event_type: str, p: payloads.SlaWarning | payloads.SlaBreached, timezone: str) -> Facts:
    # An ownership clock has no assignee to tell: nobody has accepted the case.
    assignee = None if p.clock == "ownership" else p.assignee_id
    return Facts(
        case_id=p.case_id,
        tracking_no=p.tracking_no,
        priority=p.priority,
        assignee_id=assignee,
        grid_code=p.grid_code,
        department_code=p.department_code,
        params={**_sla_params(p, timezone), "percent": getattr(p, "percent", 100)},
    )


def _supervision(event_type: str, p: payloads.SupervisionIssued, timezone: str) -> Facts:
    return Facts(
        case_id=p.case_id,
        tracking_no=p.tracking_no,
        priority="normal",
        grid_code=p.grid_code,
        department_code=p.department_code,
        params={"tracking_no": p.tracking_no, "card": p.card, "reason": p.reason},
    )


def _progress(
    event_type: str,
    p: payloads.CaseAccepted | payloads.CaseResolved | payloads.CaseClosed,
    timezone: str,
) -> Facts:
    note = getattr(p, "note", None)
    return Facts(
        case_id=p.case_id,
        tracking_no=p.tracking_no,
        priority=p.priority,
        assignee_id=p.assignee_id,
        grid_code=p.grid_code,
        community_code=p.community_code,
        department_code=p.department_code,
        case_channel=p.channel,
        external_ref=p.external_ref,
        status=STATUS_WORDS[event_type],
        note=note,
        at=p.at,
        params={
            "tracking_no": p.tracking_no,
            "status": STATUS_WORDS[event_type],
            "note": note,
            "at_local": _local(p.at, timezone),
        },
    )


_READERS: dict[type, Callable[[str, Any, str], Facts]] = {
    payloads.CaseAssigned: _assigned,
    payloads.CaseEscalated: _escalated,
    payloads.SlaWarning: _sla,
    payloads.SlaBreached: _sla,
    payloads.SupervisionIssued: _supervision,
    payloads.CaseAccepted: _progress,
    payloads.CaseResolved: _progress,
    payloads.CaseClosed: _progress,
}


def facts_of(event_type: str, payload: object, *, timezone: str) -> Facts | None:
    """Reads an event into :class:`Facts` (None for an event with no one to tell)."""
    read = _READERS.get(type(payload))
    return read(event_type, payload, timezone) if read is not None else None
