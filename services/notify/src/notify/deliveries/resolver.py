"""Where a delivery goes: the address of a recipient on a channel, resolved (and a
phone number decrypted) only at send time, with the masked form for records.

| recipient             | sms                    | email           | inapp    | wecom/dingtalk | webhook |
|-----------------------|------------------------|-----------------|----------|----------------|---------|
| ``staff:<id>``        | contacts (directory)   | preferences     | staff id |                |         |
| ``resident:<report>`` | the report's encrypted phone |           |          |                |         |
| ``robot:<code>``      |                        |                 |          | robots table   |         |
| ``hotline:<ticket>``  |                        |                 |          |                | NOTIFY_HOTLINE_CALLBACK_URL |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit.pii import PiiCipher
from notify.channels.base import PermanentSendError, RetryableSendError
from notify.config import NotifySettings
from notify.contacts import repository as contact_repository
from notify.preferences import repository as preference_repository
from notify.reporters import repository as reporter_repository
from notify.robots import repository as robot_repository
from notify.robots.service import mask_url


@dataclass(frozen=True)
class Address:
    value: str = field(repr=False)
    masked: str


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def split(recipient_id: str) -> tuple[str, str]:
    """``staff:gm111a`` → ``("staff", "gm111a")``; a bare id is a staff id (older rows)."""
    kind, sep, rest = recipient_id.partition(":")
    return (kind, rest) if sep else ("staff", recipient_id)


async def resolve(
    session: AsyncSession,
    *,
    recipient_id: str,
    channel: str,
    settings: NotifySettings,
    pii: PiiCipher,
) -> Address:
    """Raises :class:`RetryableSendError` when the address may yet arrive (a contact not
    projected yet) and :class:`PermanentSendError` when it cannot."""
    kind, ref = split(recipient_id)
    if kind == "staff" and channel == "sms":
        contact = await contact_repository.get(session, ref)
        if contact is None:
            raise RetryableSendError(f"no contact for {ref} yet")
        return Address(pii.decrypt(contact.phone_enc), contact.phone_masked)
    if kind == "staff" and channel == "email":
        preference = await preference_repository.get(session, ref)
        if preference is None or not preference.email:
            raise PermanentSendError(f"no e-mail address for {ref}")
        return Address(preference.email, mask_email(preference.email))
    if kind == "staff" and channel == "inapp":
        return Address(ref, ref)
    if kind == "resident" and channel == "sms":
        try:
            reporter = await reporter_repository.by_report(session, UUID(ref))
        except ValueError:
            reporter = None
        if reporter is None or not reporter.phone_enc:
            raise PermanentSendError("the reporter left no phone number")
        return Address(pii.decrypt(reporter.phone_enc), reporter.phone_masked or "")
    if kind == "robot" and channel in ("wecom", "dingtalk"):
        robot = await robot_repository.get(session, code=ref, channel=channel)
        if robot is None:
            raise PermanentSendError(f"no {channel} robot for {ref}")
        return Address(robot.url, f"{ref} {mask_url(robot.url)}")
    if kind == "hotline" and channel == "webhook":
        if not settings.hotline_callback_url:
            raise PermanentSendError("NOTIFY_HOTLINE_CALLBACK_URL is not set")
        return Address(settings.hotline_callback_url, f"12345 {ref}")
    raise PermanentSendError(f"{channel} cannot reach a {kind} recipient")
