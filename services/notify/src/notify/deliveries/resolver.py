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

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit.pii import PiiCipher, mask_email
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


def split(recipient_id: str) -> tuple[str, str]:
    """``staff:gm111a`` → ``("staff", "gm111a")``; a bare id is a staff id (older rows)."""
    kind, sep, rest = recipient_id.partition(":")
    return (kind, rest) if sep else ("staff", recipient_id)


@dataclass(frozen=True)
class _Lookup:
    session: AsyncSession
    ref: str
    channel: str
    settings: NotifySettings
    pii: PiiCipher


async def _staff_phone(q: _Lookup) -> Address:
    contact = await contact_repository.get(q.session, q.ref)
    if contact is None:
        raise RetryableSendError(f"no contact for {q.ref} yet")
    return Address(q.pii.decrypt(contact.phone_enc), contact.phone_masked)


async def _staff_email(q: _Lookup) -> Address:
    preference = await preference_repository.get(q.session, q.ref)
    if preference is None or not preference.email:
        raise PermanentSendError(f"no e-mail address for {q.ref}")
    return Address(preference.email, mask_email(preference.email))


async def _staff_inbox(q: _Lookup) -> Address:
    return Address(q.ref, q.ref)


async def _resident_phone(q: _Lookup) -> Address:
    try:
        reporter = await reporter_repository.by_report(q.session, UUID(q.ref))
    except ValueError:
        reporter = None
    if reporter is None or not reporter.phone_enc:
        raise PermanentSendError("the reporter left no phone number")
    return Address(q.pii.decrypt(reporter.phone_enc), reporter.phone_masked or "")


async def _robot_url(q: _Lookup) -> Address:
    robot = await robot_repository.get(q.session, code=q.ref, channel=q.channel)
    if robot is None:
        raise PermanentSendError(f"no {q.channel} robot for {q.ref}")
    return Address(robot.url, f"{q.ref} {mask_url(robot.url)}")


async def _hotline_callback(q: _Lookup) -> Address:
    if not q.settings.hotline_callback_url:
        raise PermanentSendError("NOTIFY_HOTLINE_CALLBACK_URL is not set")
    return Address(q.settings.hotline_callback_url, f"12345 {q.ref}")


_RESOLVERS: dict[tuple[str, str], Callable[[_Lookup], Awaitable[Address]]] = {
    ("staff", "sms"): _staff_phone,
    ("staff", "email"): _staff_email,
    ("staff", "inapp"): _staff_inbox,
    ("resident", "sms"): _resident_phone,
    ("robot", "wecom"): _robot_url,
    ("robot", "dingtalk"): _robot_url,
    ("hotline", "webhook"): _hotline_callback,
}


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
    resolver = _RESOLVERS.get((kind, channel))
    if resolver is None:
        raise PermanentSendError(f"{channel} cannot reach a {kind} recipient")
    return await resolver(_Lookup(session, ref, channel, settings, pii))
