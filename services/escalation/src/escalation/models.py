"""Every table of escalation, imported so that the metadata is complete (migrations)."""

from escalation.calendar.models import CalendarDay
from escalation.clocks.models import CaseClock, Timer
from escalation.directory.models import AreaEntry, DepartmentEntry, StaffEntry
from escalation.ladder.models import LadderLevel
from escalation.policies.models import Policy
from escalation.reports.models import (
    CaseFact,
    EscalationRecord,
    PatrolRecord,
    ReturnRecord,
    VisitRecord,
)
from escalation.supervision.models import SupervisionOrder

__all__ = [
    "AreaEntry",
    "CalendarDay",
    "CaseClock",
    "CaseFact",
    "DepartmentEntry",
    "EscalationRecord",
    "LadderLevel",
    "PatrolRecord",
    "Policy",
    "ReturnRecord",
    "StaffEntry",
    "SupervisionOrder",
    "Timer",
    "VisitRecord",
]
