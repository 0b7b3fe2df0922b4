"""Every table of intake, imported so that the metadata is complete (migrations)."""

from intake.cases.models import Case

__all__ = ["Case"]
