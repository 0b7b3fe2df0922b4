"""Recording the intent to tell someone: one delivery per event, recipient and channel.

For each event with a rule, every ``{selector, channels}`` entry yields recipients
(:mod:`notify.deliveries.recipients`) and one delivery is planned per event, recipient
and channel — once, whatever the number of selectors that name the same person. On the
way, a staff member's preferences may skip a channel (never SMS about an urgent case),
quiet hours (:mod:`notify.deliveries.quiet_hours`) hold SMS that is not urgent until the
morning, and a burst of SMS to one person folds into a digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

import structlog
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.envelope import Envelope, new_id
from gridcase_events.kit import tracing
from gridcase_events.kit.clock import Clock
from gridcase_events.kit.db import on_commit
from notify.config import NotifySettings
from notify.deliveries import repository
from notify.deliveries.facts import Facts, facts_of
from notify.deliveries.quiet_hours import quiet_until
from notify.deliveries.recipients import select_recipients
from notify.preferences import repository as preference_repository
from notify.preferences.models import Preference
from notify.reporters import repository as reporter_repository
from notify.reporters.models import OwedNotice
from notify.robots import repository as robot_repository
from notify.rules import repository as rule_repository
from notify.rules.models import Rule

log = structlog.get_logger(__name__)

PLANNED = Counter(
    "gridcase_notify_planned_total",
    "Deliveries planned by channel and how (now, held for quiet hours, digested, skipped)",
    ["channel", "how"],
)


def _count(session: AsyncSession, channel: str, how: str) -> None:
    """Counts a planned delivery once its transaction commits (a handler that rolls
    back and is retried must not count twice)."""
    on_commit(session, PLANNED.labels(channel, how).inc)


class ReporterRef(Protocol):
    """What planning needs of a report: how it came in (a 12345 ticket is told too)."""

    @property
    def channel(self) -> str: ...

    @property
    def external_ref(self) -> str | None: ...


def idempotency_key(*, event_id: Any, recipient_id: str, channel: str) -> str:
    return f"{event_id}:{recipient_id}:{channel}"


async def plan_event(
    *,
    session: AsyncSession,
    clock: Clock,
    settings: NotifySettings,
    event: Envelope,
    payload: object,
    only: set[str] | None = None,
) -> int:
    """Plans the deliveries an event calls for, by its rule; returns how many.

    `only` restricts the recipients (a reporter learned after the event, see
    :func:`plan_owed`); without it, a progress event is also kept as owed to residents
    who are not known yet."""
    rule = await _rule(session, event.type)
    facts = facts_of(event.type, payload, timezone=settings.timezone)
    if rule is None or facts is None:
        return 0
    if only is None and facts.status is not None and facts.case_id is not None:
        await reporter_repository.lock_case(session, facts.case_id)
        await reporter_repository.owe(
            session,
            {
                "case_id": facts.case_id,
                "event_id": event.id,
                "event_type": event.type,
                "happened_at": facts.at or event.time,
                "envelope": event.model_dump(mode="json"),
                "recorded_at": clock.now(),
            },
        )
    targets = await _targets(session=session, rule=rule, facts=facts, settings=settings, only=only)
    preferences = _read(session).setdefault("preferences", {})
    for _ in range(2):
        deferred = _Deferred()
        for (recipient, channel), params in targets.items():
            await plan_one(
                session=session,
                clock=clock,
                settings=settings,
                event=event,
                facts=facts,
                recipient=recipient,
                channel=channel,
                # the 12345 callback body is exactly its own fields
                params=params if recipient.startswith("hotline:") else {**facts.params, **params},
                preferences=preferences,
                deferred=deferred,
            )
        try:
            return await _write(session, settings, deferred, preferences)
        except _StaleError as stale:
            # decided with preferences changed since: decide again with those stored
            # (read in this transaction now, so not checked again)
            preferences.update(stale.preferences)
            for staff_id, choices in stale.preferences.items():
                _know(staff_id, choices)
    raise RuntimeError("planning decided twice with preferences that changed")  # unreachable


@dataclass(frozen=True)
class Choices:
    """What planning reads of a staff member's preferences."""

    disabled_channels: tuple[str, ...]
    email: str | None
    quiet_hours: str | None

    @classmethod
    def of(cls, preference: Preference | None) -> Choices | None:
        if preference is None:
            return None
        return cls(tuple(preference.disabled_channels), preference.email, preference.quiet_hours)

    @classmethod
    def stored(cls, values: dict[str, Any] | None) -> Choices | None:
        """As ``notify.deliveries_planned`` returns them (None: none stored)."""
        if values is None:
            return None
        return cls(tuple(values["disabled_channels"]), values["email"], values["quiet_hours"])

    def as_stored(self) -> dict[str, Any]:
        return {
            "disabled_channels": list(self.disabled_channels),
            "email": self.email,
            "quiet_hours": self.quiet_hours,
        }


#: The preferences last seen of each staff member, in any transaction: planning decides
#: with them, and the statement that writes the deliveries checks that they are still
#: those stored (:func:`repository.plan_checked`); when not, it writes nothing and the
#: event is decided again with those stored. Saves a read per staff member and run.
_KNOWN: dict[str, Choices | None] = {}
_KNOWN_MAX = 100_000


class _StaleError(Exception):
    """Deliveries decided with preferences that are no longer those stored."""

    def __init__(self, preferences: dict[str, Choices | None]) -> None:
        super().__init__(f"preferences changed: {sorted(preferences)}")
        self.preferences = preferences


@dataclass
class _Deferred:
    """An event's deliveries, decided and not yet written (:func:`_write`): the plain
    ones (planned now, or skipped) and the SMS counted against the burst limit; and the
    staff members' preferences they were decided with that this transaction has not
    read (`assumed`, from :data:`_KNOWN`), to be checked by the write."""

    plain: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    counted: list[dict[str, Any]] = field(default_factory=list)
    assumed: dict[str, Choices | None] = field(default_factory=dict)


async def _write(
    session: AsyncSession,
    settings: NotifySettings,
    deferred: _Deferred,
    preferences: dict[str, Choices | None],
) -> int:
    """Writes an event's deliveries: the plain ones in the call of its first counted
    SMS (which takes that SMS's recipient lock first, so its count still sees what the
    lock's previous holder committed), or in one statement of their own; the first
    statement also checks the preferences assumed (:class:`_StaleError` when they
    changed: nothing of the event is written then)."""
    planned = 0
    plain, assumed = deferred.plain, deferred.assumed
    for sms in deferred.counted:
        planned += await _plan_sms(
            session=session, settings=settings, along=plain, assumed=assumed, **sms
        )
        preferences.update(assumed)  # checked: as good as read in this transaction
        plain, assumed = [], {}
    if plain and assumed:
        inserted, stored = await repository.plan_checked(
            session, expected=_expected(assumed), along=[values for values, _ in plain]
        )
        _check(stored)
        preferences.update(assumed)
        planned += _count_plain(session, plain, inserted)
    elif plain:
        inserted = await repository.plan_many(session, [values for values, _ in plain])
        planned += _count_plain(session, plain, inserted)
    return planned


def _expected(assumed: dict[str, Choices | None]) -> dict[str, dict[str, Any] | None]:
    return {k: None if c is None else c.as_stored() for k, c in assumed.items()}


def _check(stored: dict[str, dict[str, Any] | None] | None) -> None:
    """Raises :class:`_StaleError` when the write found other preferences stored."""
    if stored is not None:
        raise _StaleError({k: Choices.stored(v) for k, v in stored.items()})


def _count_plain(
    session: AsyncSession, plain: list[tuple[dict[str, Any], str]], inserted: set[UUID]
) -> int:
    planned = 0
    for values, how in plain:
        if values["id"] in inserted:
            _count(session, values["channel"], how)
            planned += 1
    return planned


async def _targets(
    *,
    session: AsyncSession,
    rule: Rule,
    facts: Facts,
    settings: NotifySettings,
    only: set[str] | None,
) -> dict[tuple[str, str], dict[str, Any]]:
    """Every (recipient, channel) the rule names for these facts, once, with the
    recipient's own parameters (the first selector naming a recipient wins)."""
    targets: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in rule.recipients:
        channels = list(entry["channels"])
        for recipient, params in await select_recipients(
            session=session,
            selector=entry["selector"],
            channels=channels,
            facts=facts,
            settings=settings,
        ):
            if only is not None and recipient not in only:
                continue
            for channel in channels:
                if recipient.startswith("robot:") and not await _robot_has(
                    session, recipient, channel
                ):
                    continue
                targets.setdefault((recipient, channel), params)
    return targets


async def plan_owed(
    *,
    session: AsyncSession,
    clock: Clock,
    settings: NotifySettings,
    owed: Sequence[OwedNotice],
    report_id: UUID,
    reporter: ReporterRef,
    since: datetime | None = None,
) -> int:
    """Plans, for a reporter notify has just learned of, the progress events of the case
    it saw first (cross-topic reordering: `owed`, the case's owed notices, read under
    the case's lock after the reporter was recorded, see
    :func:`notify.reporters.repository.add_locked`); for a reporter merged in, only those
    that happened from `since` (the merge) on (`reporter`: its report's channel and
    external reference, as the event gave them)."""
    only = {f"resident:{report_id}"}
    if reporter.channel == "hotline" and reporter.external_ref:
        only.add(f"hotline:{reporter.external_ref}")
    planned = 0
    for notice in owed:
        if since is not None and notice.happened_at < since:
            continue  # it was merged in after that progress: it hears of the next
        event = Envelope.model_validate(notice.envelope)
        planned += await plan_event(
            session=session,
            clock=clock,
            settings=settings,
            event=event,
            payload=event.payload(),
            only=only,
        )
    if planned:
        log.info("owed progress planned for a reporter learned late", planned=planned)
    return planned


async def _robot_has(session: AsyncSession, recipient: str, channel: str) -> bool:
    code = recipient.removeprefix("robot:")
    return await robot_repository.get(session, code=code, channel=channel) is not None


async def plan_one(
    *,
    session: AsyncSession,
    clock: Clock,
    settings: NotifySettings,
    event: Envelope,
    facts: Facts,
    recipient: str,
    channel: str,
    params: dict[str, Any],
    preferences: dict[str, Choices | None] | None = None,
    deferred: _Deferred | None = None,
) -> int:
    """Records one delivery (once per event, recipient and channel: a repeat is refused by
    the key's unique index, and counts nothing). `preferences`: the staff members'
    preferences read so far for this event (each read once, whatever its channels).
    `deferred`: decides it but leaves the writing (and an SMS's recipient lock) to
    :func:`_write`, with the event's other deliveries; 0. A staff member's preferences
    are then those last seen (:data:`_KNOWN`) unless this transaction read them, and
    the write checks them."""
    key = idempotency_key(event_id=event.id, recipient_id=recipient, channel=channel)
    now = clock.now()
    urgent = facts.priority == "urgent"
    values = _delivery(
        key=key, event=event, facts=facts, recipient=recipient, channel=channel, params=params
    ) | {"next_attempt_at": now, "planned_at": now, "updated_at": now, "last_error": None}
    quiet_hours: str | None = settings.quiet_hours
    if recipient.startswith("staff:"):
        preference = await _preference(
            session, recipient.removeprefix("staff:"), preferences, deferred
        )
        if preference is not None and preference.quiet_hours is not None:
            quiet_hours = preference.quiet_hours
        skip = _skipped_by(preference, channel=channel, urgent=urgent)
        if skip:
            values |= {"status": "skipped", "last_error": skip}
            return await _plan_counted(session, values, how="skipped", deferred=deferred)
    if channel != "sms" or urgent:
        return await _plan_counted(session, values, how="now", deferred=deferred)
    sms: dict[str, Any] = {
        "event": event,
        "values": values,
        "quiet_hours": quiet_hours,
        "tracking_no": str(params.get("tracking_no", facts.tracking_no)),
        "now": now,
    }
    if deferred is not None:
        deferred.counted.append(sms)
        return 0
    return await _plan_sms(session=session, settings=settings, **sms)


async def _plan_counted(
    session: AsyncSession, values: dict[str, Any], *, how: str, deferred: _Deferred | None
) -> int:
    if deferred is not None:
        deferred.plain.append((values, how))
        return 0
    planned = await repository.plan(session, values)
    if planned:
        _count(session, values["channel"], how)
    return int(planned)


def _read(session: AsyncSession) -> dict[str, dict[str, Any]]:
    """What the transaction has read of rules and preferences: each is read once per
    transaction (a consumer's run of events), not once per event. A change committed
    meanwhile applies from the next run on."""
    read: dict[str, dict[str, Any]] = session.info.setdefault("notify.planning.read", {})
    return read


async def _rule(session: AsyncSession, event_type: str) -> Rule | None:
    rules = _read(session).setdefault("rules", {})
    if event_type not in rules:
        rules[event_type] = await rule_repository.get(session, event_type)
    rule: Rule | None = rules[event_type]
    return rule


async def _preference(
    session: AsyncSession,
    staff_id: str,
    seen: dict[str, Choices | None] | None,
    deferred: _Deferred | None,
) -> Choices | None:
    """The staff member's preferences: those this transaction read (`seen`); else, with
    `deferred`, those last seen in any transaction, noted as assumed (its write checks
    them); else read now."""
    if seen is not None and staff_id in seen:
        return seen[staff_id]
    if deferred is not None:
        if staff_id not in deferred.assumed:
            deferred.assumed[staff_id] = _KNOWN.get(staff_id)
        return deferred.assumed[staff_id]
    choices = Choices.of(await preference_repository.get(session, staff_id))
    _know(staff_id, choices)
    if seen is not None:
        seen[staff_id] = choices
    return choices


def _know(staff_id: str, choices: Choices | None) -> None:
    if len(_KNOWN) >= _KNOWN_MAX:
        _KNOWN.clear()
    _KNOWN[staff_id] = choices


def _delivery(
    *, key: str, event: Envelope, facts: Facts, recipient: str, channel: str, params: dict[str, Any]
) -> dict[str, Any]:
    """A pending delivery's row, before its times."""
    return {
        "id": new_id(),
        "idempotency_key": key,
        "trigger_event_id": event.id,
        "trigger_event_type": event.type,
        "case_id": facts.case_id,
        "district_code": event.tenant,
        "correlation_id": event.correlation_id,
        "trace_context": tracing.current_carrier(),
        "channel": channel,
        "recipient_id": recipient,
        "recipient_masked": "",  # learned when sending
        "template": event.type,
        "params": params,
        "status": "pending",
        "attempts": 0,
    }


def _skipped_by(preference: Choices | None, *, channel: str, urgent: bool) -> str | None:
    """Why a staff member's preferences skip this channel, or None. SMS about an urgent
    case is never skipped."""
    if preference is not None and channel in preference.disabled_channels:
        if channel == "sms" and urgent:
            log.info("sms about an urgent case sent despite the preference")
        else:
            return f"{channel} turned off in the recipient's preferences"
    if channel == "email" and (preference is None or not preference.email):
        return "no e-mail address in the recipient's preferences"
    return None


async def _plan_sms(
    *,
    session: AsyncSession,
    settings: NotifySettings,
    event: Envelope,
    values: dict[str, Any],
    quiet_hours: str | None,
    tracking_no: str,
    now: datetime,
    along: list[tuple[dict[str, Any], str]] | None = None,
    assumed: dict[str, Choices | None] | None = None,
) -> int:
    """An SMS that is not urgent: held until quiet hours end, and folded into a digest
    when the recipient had a burst of them in the window. `along`: the event's plain
    deliveries (:class:`_Deferred`), written by the same call; counted with it.
    `assumed`: the preferences they were decided with, checked by that call."""
    channel = values["channel"]
    held = quiet_until(now, quiet_hours, settings.timezone)
    if held is not None:
        values["next_attempt_at"] = held
    window = timedelta(minutes=settings.sms_burst_window_minutes)
    along = along or []
    inserted, stored = await repository.plan_checked(
        session,
        expected=_expected(assumed or {}),
        counted=values,
        since=now - window,
        limit=settings.sms_burst_limit,
        along=[v for v, _ in along],
    )
    _check(stored)
    planned = _count_plain(session, along, inserted)
    if values["id"] in inserted:
        _count(session, channel, "held" if held else "now")
        return planned + 1
    return planned + await _over_limit(
        session=session,
        settings=settings,
        event=event,
        values=values,
        held=held,
        tracking_no=tracking_no,
        now=now,
    )


async def _over_limit(
    *,
    session: AsyncSession,
    settings: NotifySettings,
    event: Envelope,
    values: dict[str, Any],
    held: datetime | None,
    tracking_no: str,
    now: datetime,
) -> int:
    """An SMS its statement did not plan: a repeat (nothing), or over the burst limit
    (folded into the recipient's digest)."""
    recipient, channel = values["recipient_id"], values["channel"]
    window = timedelta(minutes=settings.sms_burst_window_minutes)
    recent = await repository.recent(
        session, recipient_id=recipient, channel=channel, since=now - window
    )
    if len(recent) < settings.sms_burst_limit:
        return 0  # under the limit, yet not planned: a repeat, refused by its key
    if await repository.exists(session, values["idempotency_key"]):
        return 0  # a repeat: not folded twice
    digest_id = await _fold(
        session=session,
        event=event,
        recipient=recipient,
        channel=channel,
        tracking_no=tracking_no,
        due=max(recent[0] + window, held or now),
        now=now,
    )
    _count(session, channel, "digested")
    return int(
        await repository.plan(session, {**values, "status": "digested", "digest_id": digest_id})
    )


async def _fold(
    *,
    session: AsyncSession,
    event: Envelope,
    recipient: str,
    channel: str,
    tracking_no: str,
    due: datetime,
    now: datetime,
) -> UUID:
    """Adds a message to the recipient's open digest (or opens one, to be sent when the
    burst window ends); returns the digest's id."""
    digest = await repository.open_digest(session, recipient_id=recipient, channel=channel)
    if digest is not None:
        items = [*digest.params.get("tracking_nos", []), tracking_no]
        await repository.finish(
            session,
            digest.id,
            {
                "params": {**digest.params, "tracking_nos": items, "count": len(items)},
                "updated_at": now,
            },
        )
        return digest.id
    digest_id = new_id()
    await repository.plan(
        session,
        {
            "id": digest_id,
            "idempotency_key": f"digest:{recipient}:{channel}:{digest_id}",
            "trigger_event_id": event.id,
            "trigger_event_type": "notification.digest",
            "case_id": None,
            "district_code": event.tenant,
            "correlation_id": event.correlation_id,
            "channel": channel,
            "recipient_id": recipient,
            "recipient_masked": "",
            "template": repository.DIGEST,
            "params": {"tracking_nos": [tracking_no], "count": 1},
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": due,
            "planned_at": now,
            "updated_at": now,
        },
    )
    log.info("sms burst folded into a digest", recipient_id=recipient, digest_id=str(digest_id))
    return digest_id
