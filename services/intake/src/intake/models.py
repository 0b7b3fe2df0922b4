"""Every table of intake, imported so that the metadata is complete (migrations)."""

from intake.attachments.models import Attachment
from intake.cases.models import Case
from intake.idempotency.models import IdempotencyKey
from intake.patrols.models import PatrolReport, PatrolSession
from intake.ratelimits.models import RateCounter
from intake.visits.models import HouseholdVisit, VisitReport
from intake.walls.models import Wall, Wish

__all__ = [
    "Attachment",
    "Case",
    "HouseholdVisit",
    "IdempotencyKey",
    "PatrolReport",
    "PatrolSession",
    "RateCounter",
    "VisitReport",
    "Wall",
    "Wish",
]
