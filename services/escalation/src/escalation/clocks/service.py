"""Clocks and deadlines (限时办结, time-limited settlement).

Today: the resolution clock starts when a case is first assigned, with a limit by
priority (urgent 2 hours, ordinary 7 natural days). Working-day calendars, the other
clocks, pauses, warnings and the timer scheduler come with the escalation issue.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks import repository
from escalation.config import EscalationSettings
from gridcase_events import payloads
from gridcase_events.envelope import Envelope
from gridcase_events.kit.clock import Clock


def resolution_limit(settings: EscalationSettings, priority: payloads.Priority) -> int:
    return (
        settings.urgent_resolution_minutes
        if priority == "urgent"
        else settings.normal_resolution_minutes
    )


async def start_resolution(
    *,
    session: AsyncSession,
    settings: EscalationSettings,
    clock: Clock,
    event: Envelope,
    assigned: payloads.CaseAssigned,
) -> bool:
    """Starts the case's resolution clock at its first assignment; True if started."""
    limit = resolution_limit(settings, assigned.priority)
    return await repository.start_once(
        session,
        {
            "case_id": assigned.case_id,
            "kind": "resolution",
            "status": "running",
            "started_at": assigned.assigned_at,
            "due_at": assigned.assigned_at + timedelta(minutes=limit),
            "limit_minutes": limit,
            "priority": assigned.priority,
            "category_code": assigned.category_code,
            "grid_code": assigned.grid_code,
            "department_code": assigned.department_code,
            "assignee_id": assigned.assignee_id,
            "correlation_id": event.correlation_id,
            "updated_at": clock.now(),
        },
    )
