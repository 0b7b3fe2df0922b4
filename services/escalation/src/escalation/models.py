"""Every table of escalation, imported so that the metadata is complete (migrations)."""

from escalation.clocks.models import CaseClock

__all__ = ["CaseClock"]
