"""Every table of intake, imported so that the metadata is complete (migrations)."""

from intake.attachments.models import Attachment, AttachmentEvidence, AttachmentUpload
from intake.cases.models import Case, CaseStep
from intake.catalogue.models import Area, Category, Department
from intake.idempotency import models as _idempotency  # noqa: F401 - the kit's key table
from intake.open311.models import Open311Request
from intake.patrols.models import PatrolReport, PatrolSession
from intake.ratelimits.models import RateCounter
from intake.visits.models import HouseholdVisit, VisitReport
from intake.walls.models import Wall, Wish

__all__ = [
    "Area",
    "Attachment",
    "AttachmentEvidence",
    "AttachmentUpload",
    "Case",
    "CaseStep",
    "Category",
    "Department",
    "HouseholdVisit",
    "Open311Request",
    "PatrolReport",
    "PatrolSession",
    "RateCounter",
    "VisitReport",
    "Wall",
    "Wish",
]
