"""Every table of intake, imported so that the metadata is complete (migrations)."""

from intake.cases.models import Case
from intake.catalogue.models import Area, Category, Department
from intake.open311.models import Open311Request

__all__ = ["Area", "Case", "Category", "Department", "Open311Request"]
