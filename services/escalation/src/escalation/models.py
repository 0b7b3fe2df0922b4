"""Every table of escalation, imported so that the metadata is complete (migrations)."""

from escalation.clocks.models import CalendarDay, CaseClock, Timer
from escalation.policies.models import Policy

__all__ = ["CalendarDay", "CaseClock", "Policy", "Timer"]
