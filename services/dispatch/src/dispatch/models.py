"""Every table of dispatch, imported so that the metadata is complete (migrations)."""

from dispatch.deadlines.models import CaseDeadline, SlaClock
from dispatch.directory.models import (
    Absence,
    Area,
    Category,
    Department,
    DirectoryState,
    GazetteerEntry,
    Staff,
)
from dispatch.idempotency import models as _idempotency  # noqa: F401 - the kit's key table
from dispatch.phrases.models import PhraseList
from dispatch.search import models as _search_indexes  # noqa: F401 - the search indexes
from dispatch.views.models import SavedView
from dispatch.workflow.models import Case, TimelineEntry

__all__ = [
    "Absence",
    "Area",
    "Case",
    "CaseDeadline",
    "Category",
    "Department",
    "DirectoryState",
    "GazetteerEntry",
    "PhraseList",
    "SavedView",
    "SlaClock",
    "Staff",
    "TimelineEntry",
]
