"""Every table of notify, imported so that the metadata is complete (migrations)."""

from notify.contacts.models import Contact
from notify.deliveries.models import Delivery

__all__ = ["Contact", "Delivery"]
