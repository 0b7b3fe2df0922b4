"""Every table of dispatch, imported so that the metadata is complete (migrations)."""

from dispatch.directory.models import (
    Absence,
    Area,
    Category,
    Department,
    DirectoryState,
    GazetteerEntry,
    Staff,
)
from dispatch.workflow.models import Case, TimelineEntry

__all__ = [
    "Absence",
    "Area",
    "Case",
    "Category",
    "Department",
    "DirectoryState",
    "GazetteerEntry",
    "Staff",
    "TimelineEntry",
]
