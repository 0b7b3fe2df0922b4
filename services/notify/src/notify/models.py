"""Every table of notify, imported so that the metadata is complete (migrations)."""

from notify.contacts.models import Contact
from notify.deliveries.models import Delivery
from notify.inbox.models import InboxItem
from notify.preferences.models import Preference
from notify.reporters.models import OwedNotice, Reporter
from notify.robots.models import Robot
from notify.rules.models import Rule

__all__ = [
    "Contact",
    "Delivery",
    "InboxItem",
    "OwedNotice",
    "Preference",
    "Reporter",
    "Robot",
    "Rule",
]
